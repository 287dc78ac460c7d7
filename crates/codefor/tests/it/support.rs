//! What the tests share: servers on loopback, clients, the fixture.

use std::future::Future;
use std::path::PathBuf;
use std::sync::LazyLock;

use codefor_storage::testing::{self, TestDb};
use tokio::sync::OnceCell;

/// One runtime for the whole binary, so a server started by one test (and its pool)
/// stays usable for the others.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
});

pub fn block_on<F: Future>(f: F) -> F::Output {
    RUNTIME.block_on(f)
}

/// The codefor.de fixture beside the checkout.
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/codefor.de")
}

/// A running server and the database behind it.
pub struct Server {
    pub base: String,
    pub db: TestDb,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// A client that does not follow redirects, so tests see each 301.
pub fn client() -> reqwest::Client {
    codefor_core::calendars::fetch::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// Starts the app on a free loopback port over `db`.
pub async fn serve(db: TestDb) -> Server {
    serve_with(db, codefor_web::Config::default()).await
}

/// Starts the app with its own settings (mail, sessions) on a free loopback port.
pub async fn serve_with(db: TestDb, config: codefor_web::Config) -> Server {
    // Server errors are logged with their cause; show them beside a failing test.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("codefor=error,codefor_web=error")
        .with_test_writer()
        .try_init();
    let app = codefor_web::app(codefor_web::AppState::new(db.db.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Server {
        base: format!("http://{addr}"),
        db,
    }
}

static DEMO: OnceCell<Server> = OnceCell::const_new();
static FIXTURE: OnceCell<Server> = OnceCell::const_new();

/// A server on a fresh database seeded with the demo network (shared by the tests).
pub async fn demo() -> &'static Server {
    DEMO.get_or_init(|| async {
        let db = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        serve(db).await
    })
    .await
}

/// A server on a fresh database with the codefor.de fixture imported (shared).
pub async fn fixture() -> &'static Server {
    FIXTURE
        .get_or_init(|| async {
            let db = testing::fresh().await.expect("fresh database");
            codefor_core::import::import_hugo(
                &db.db,
                &fixture_dir(),
                false,
                &codefor_core::import::Quiet,
            )
            .await
            .expect("fixture imports");
            serve(db).await
        })
        .await
}

/// Fetches `path` and returns status and body.
pub async fn get(server: &Server, path: &str) -> (u16, String) {
    let r = client()
        .get(server.url(path))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// The head of one HTTP/1.1 request, as a hand-written loopback server reads it (the test
/// servers that misbehave on purpose: slow, silent, endless, redirecting in circles).
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub method: String,
    pub path: String,
    /// Header names in lower case, values trimmed, in the order sent.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of a header (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a request head from `stream` up to the empty line; `None` when the client hangs
/// up first or the head exceeds 64 KiB. The body, if any, is left unread.
pub async fn read_request_head(stream: &mut tokio::net::TcpStream) -> Option<RequestHead> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or("/").to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(RequestHead {
        method,
        path,
        headers,
    })
}

/// A lab's id by slug.
pub async fn lab_id(db: &codefor_storage::Db, slug: &str) -> i64 {
    codefor_storage::labs::get(db, slug)
        .await
        .expect("read")
        .expect("lab")
        .id
}

/// A confirmed account named `name` (password [`crate::accounts::PASSWORD`]) that leads
/// `lead_of` or belongs to `member_of`; its id.
pub async fn confirmed_person(
    db: &codefor_storage::Db,
    email: &str,
    name: &str,
    lead_of: Option<&str>,
    member_of: Option<&str>,
) -> i64 {
    use codefor_storage::accounts;
    let hash = codefor_core::secrets::hash_password(crate::accounts::PASSWORD.into())
        .await
        .expect("hash");
    let mut tx = db.begin().await.expect("tx");
    let id = accounts::create(&mut tx, email, &hash, name, false)
        .await
        .expect("create")
        .expect("new address");
    accounts::confirm(&mut tx, id).await.expect("confirm");
    codefor_storage::commit(tx).await.expect("commit");
    if let Some(lab) = lead_of {
        codefor_core::admin::make_lead(db, codefor_core::admin::Actor::COMMAND_LINE, id, lab)
            .await
            .expect("lead");
    }
    if let Some(lab) = member_of {
        let account = accounts::get(db, id).await.expect("get").expect("account");
        let lab = lab_id(db, lab).await;
        let mut tx = db.begin().await.expect("tx");
        accounts::add_to_lab(&mut tx, &account, lab, codefor_domain::people::Role::Member)
            .await
            .expect("member");
        codefor_storage::commit(tx).await.expect("commit");
    }
    id
}

/// A browser signed in as `email` (password [`crate::accounts::PASSWORD`]).
pub async fn signed_in(server: &Server, email: &str) -> crate::accounts::Browser {
    let mut b = crate::accounts::Browser::new(server);
    let page = b.sign_in(email, crate::accounts::PASSWORD).await;
    assert_eq!(page.status, 303, "sign-in: {}", page.body);
    b
}
