//! Accounts, roles and editing over real HTTP, with mail through a real SMTP listener,
//! on SQLite or PostgreSQL (whichever `CODEFOR_TEST_DATABASE_URL` names).

use std::collections::HashMap;
use std::sync::LazyLock;

use codefor_core::admin::{self, Actor};
use codefor_storage::testing;
use tokio::sync::OnceCell;

use crate::smtp::{self, Inbox};
use crate::support::{Server, block_on};

pub(crate) const PASSWORD: &str = "ein langes Passwort";

pub(crate) struct World {
    pub(crate) server: Server,
    pub(crate) inbox: Inbox,
    smtp_url: String,
    uploads: tempfile::TempDir,
}

impl World {
    /// A mailer to the world's SMTP listener, for use-cases called directly.
    pub(crate) fn mailer(&self) -> codefor_core::mail::Mailer {
        codefor_core::mail::Mailer::smtp(&self.smtp_url, "Code for Germany <test@codefor.invalid>")
            .expect("mailer")
    }
}

static WORLD: OnceCell<World> = OnceCell::const_new();

/// A server over the demo network whose mail goes to the test's SMTP listener.
pub(crate) async fn world() -> &'static World {
    WORLD
        .get_or_init(|| async {
            let (url, inbox) = smtp::start().await;
            let db = testing::fresh().await.expect("fresh database");
            codefor_core::demo::seed(&db.db).await.expect("seed demo");
            let uploads = tempfile::tempdir().expect("upload folder");
            let config = codefor_web::Config {
                upload_dir: uploads.path().to_path_buf(),
                mailer: codefor_core::mail::Mailer::smtp(
                    &url,
                    "Code for Germany <test@codefor.invalid>",
                )
                .expect("mailer"),
                ..Default::default()
            };
            let server = crate::support::serve_with(db, config).await;
            World {
                server,
                inbox,
                smtp_url: url,
                uploads,
            }
        })
        .await
}

/// A browser of sorts: keeps cookies, does not follow redirects.
pub(crate) struct Browser {
    base: String,
    cookies: HashMap<String, String>,
    client: reqwest::Client,
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) body: String,
}

static CSRF: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#).expect("regex"));

impl Browser {
    pub(crate) fn new(server: &Server) -> Browser {
        Browser {
            base: server.base.clone(),
            cookies: HashMap::new(),
            client: crate::support::client(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn take(&mut self, r: reqwest::Response) -> Page {
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap_or_default();
            if let Some((kv, _)) = c.split_once(';')
                && let Some((k, v)) = kv.split_once('=')
            {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Page {
            status,
            location,
            body: r.text().await.unwrap_or_default(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.take(r).await
    }

    /// Posts a form with the CSRF token of the page at `form_page`.
    /// Posts a form the way a browser does: the page's hidden fields (CSRF token, the
    /// revision the form started from, …) go along unless `fields` sets them.
    pub(crate) async fn submit(
        &mut self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let page = self.get(form_page).await;
        let hidden = hidden_fields(&page.body);
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        for (name, value) in &hidden {
            if !all.iter().any(|(k, _)| k == name) {
                all.push((name, value));
            }
        }
        self.post(action, &all).await
    }

    pub(crate) async fn post(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        let body = url_encode(fields);
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        self.take(r).await
    }

    /// Posts a multipart form to `action`: text fields, then the files
    /// (field name, file name, content).
    pub(crate) async fn multipart(
        &mut self,
        action: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----codefor-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .bytes(),
            );
        }
        for (name, file_name, content) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
            body.extend_from_slice(content);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST multipart");
        self.take(r).await
    }

    /// Posts a multipart form: text fields, then one file field `file`.
    async fn upload(&mut self, fields: &[(&str, &str)], file: &[u8]) -> Page {
        self.try_upload(fields, file).await.expect("POST upload")
    }

    /// Like `upload`, but a connection the server closed early is an `Err`.
    async fn try_upload(
        &mut self,
        fields: &[(&str, &str)],
        file: &[u8],
    ) -> Result<Page, reqwest::Error> {
        let boundary = "----codefor-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .bytes(),
            );
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bild.png\"\r\nContent-Type: image/png\r\n\r\n").bytes());
        body.extend_from_slice(file);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let r = self
            .client
            .post(format!("{}/hochladen/", self.base))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await?;
        Ok(self.take(r).await)
    }

    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/anmelden/",
            "/anmelden/",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// A state change in the permission matrix: what, where, the form, the status per role.
type PostCheck<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, [u16; 5]);

/// The hidden inputs of a page, first value per name.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    static HIDDEN: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)""#).expect("regex")
    });
    let mut out: Vec<(String, String)> = Vec::new();
    for c in HIDDEN.captures_iter(html) {
        if !out.iter().any(|(k, _)| k == &c[1]) {
            out.push((c[1].to_owned(), c[2].to_owned()));
        }
    }
    out
}

fn url_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The first link to `path_prefix` in a mail (quoted-printable soft breaks undone).
fn link_in(data: &str, path_prefix: &str) -> String {
    let text = data.replace("=\n", "");
    let at = text
        .find(path_prefix)
        .unwrap_or_else(|| panic!("no {path_prefix} link in:\n{text}"));
    text[at..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A confirmed account with the given roles, made through the use-cases.
pub(crate) async fn account(email: &str, admin_role: bool, lead_of: Option<&str>) -> i64 {
    let w = world().await;
    let db = &w.server.db.db;
    let id = if admin_role {
        admin::create_admin(db, email, "Admina", PASSWORD)
            .await
            .expect("admin")
    } else {
        let hash = codefor_core::secrets::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        let mut tx = db.begin().await.expect("tx");
        let id = codefor_storage::accounts::create(&mut tx, email, &hash, "Lea Lead", false)
            .await
            .expect("create")
            .expect("new address");
        codefor_storage::accounts::confirm(&mut tx, id)
            .await
            .expect("confirm");
        codefor_storage::commit(tx).await.expect("commit");
        id
    };
    if let Some(lab) = lead_of {
        admin::make_lead(db, Actor::COMMAND_LINE, id, lab)
            .await
            .expect("lead");
    }
    id
}

#[test]
fn registration_confirmation_sign_in_and_out() {
    block_on(async {
        let w = world().await;
        let mut b = Browser::new(&w.server);
        let email = "neu@example.org";
        let page = b
            .submit(
                "/registrieren/",
                "/registrieren/",
                &[
                    ("display_name", "Neue Person"),
                    ("email", email),
                    ("password", PASSWORD),
                    ("password_repeat", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("E-Mail geschickt"));
        // Not confirmed yet: signing in is refused and the link comes again.
        let refused = b.sign_in(email, PASSWORD).await;
        assert_eq!(refused.status, 401);
        assert!(
            refused.body.contains("bestätige zuerst"),
            "{}",
            refused.body
        );
        let mail = w.inbox.last_to(email).await;
        let link = link_in(&mail.data, "/konto/bestaetigen/");
        let confirm = b.get(&link).await;
        assert_eq!(confirm.status, 200);
        assert!(
            confirm.body.contains("Adresse bestätigen"),
            "a button, not an automatic confirmation"
        );
        let done = b.submit(&link, &link, &[]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("ist bestätigt"));
        // The link works once.
        assert_eq!(b.submit(&link, &link, &[]).await.status, 400);

        let signed = b.sign_in(email, PASSWORD).await;
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location, "/konto/");
        let account = b.get("/konto/").await;
        assert_eq!(account.status, 200);
        assert!(account.body.contains("Neue Person"));
        assert!(account.body.contains(email));
        // Signed-in pages are private and never cached.
        let home = b.get("/").await;
        assert!(home.body.contains("Abmelden"));

        let out = b.submit("/konto/", "/abmelden/", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(b.get("/konto/").await.status, 303, "signed out");
    });
}

#[test]
fn registering_a_taken_address_reveals_nothing_and_tells_the_owner() {
    block_on(async {
        let w = world().await;
        let email = "vergeben@example.org";
        account(email, false, None).await;
        let mut b = Browser::new(&w.server);
        let page = b
            .submit(
                "/registrieren/",
                "/registrieren/",
                &[
                    ("display_name", "Jemand"),
                    ("email", email),
                    ("password", PASSWORD),
                    ("password_repeat", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("E-Mail geschickt"));
        let mail = w.inbox.last_to(email).await;
        assert!(mail.data.contains("schon ein Konto"), "{}", mail.data);
    });
}

#[test]
fn forms_show_field_errors_in_place_and_keep_the_input() {
    block_on(async {
        let w = world().await;
        let mut b = Browser::new(&w.server);
        let page = b
            .submit(
                "/registrieren/",
                "/registrieren/",
                &[
                    ("display_name", "Kurz Passwort"),
                    ("email", "kein-at-zeichen"),
                    ("password", "kurz"),
                    ("password_repeat", "kurz"),
                ],
            )
            .await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("2 Felder brauchen"), "{}", page.body);
        assert!(page.body.contains("nicht nach einer E-Mail-Adresse"));
        assert!(page.body.contains("mindestens 10 Zeichen"));
        assert!(page.body.contains(r#"value="Kurz Passwort""#), "input kept");
        assert!(page.body.contains(r#"aria-invalid="true""#));
        assert!(
            !page.body.contains(r#"value="kurz""#),
            "passwords are never echoed"
        );
    });
}

#[test]
fn state_changes_without_the_csrf_token_are_refused() {
    block_on(async {
        let w = world().await;
        let email = "csrf@example.org";
        account(email, false, None).await;
        let mut b = Browser::new(&w.server);
        // No token at all, and a token that is not the cookie's.
        let none = b
            .post("/anmelden/", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(none.status, 403);
        assert!(none.body.contains("Formular abgelaufen"));
        b.get("/anmelden/").await;
        let wrong = b
            .post(
                "/anmelden/",
                &[("email", email), ("password", PASSWORD), ("csrf", "00ff")],
            )
            .await;
        assert_eq!(wrong.status, 403);
        // Signed in, the session's own token counts; the anonymous cookie does not.
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 303);
        let anon_token = b.cookies.get("codefor_csrf").cloned().unwrap_or_default();
        let forged = b
            .post(
                "/konto/name",
                &[("display_name", "Gekapert"), ("csrf", &anon_token)],
            )
            .await;
        assert_eq!(forged.status, 403);
        let ok = b
            .submit("/konto/", "/konto/name", &[("display_name", "Neuer Name")])
            .await;
        assert_eq!(ok.status, 200);
        assert!(ok.body.contains("Neuer Name"));
    });
}

#[test]
fn sign_in_is_rate_limited_per_account_with_a_clear_message() {
    block_on(async {
        let w = world().await;
        let email = "limit@example.org";
        account(email, false, None).await;
        let mut b = Browser::new(&w.server);
        for _ in 0..5 {
            let page = b.sign_in(email, "falsches Passwort!").await;
            assert_eq!(page.status, 401);
            assert!(page.body.contains("stimmen nicht"));
        }
        // Even the right password is refused now, with a message saying how long to wait.
        let page = b.sign_in(email, PASSWORD).await;
        assert_eq!(page.status, 429, "{}", page.body);
        assert!(page.body.contains("Bitte warte 15 Minuten"));
    });
}

#[test]
fn password_reset_by_mail_signs_out_everywhere() {
    block_on(async {
        let w = world().await;
        let email = "reset@example.org";
        account(email, false, None).await;
        let mut old_device = Browser::new(&w.server);
        assert_eq!(old_device.sign_in(email, PASSWORD).await.status, 303);

        let mut b = Browser::new(&w.server);
        let page = b
            .submit(
                "/passwort-vergessen/",
                "/passwort-vergessen/",
                &[("email", email)],
            )
            .await;
        assert_eq!(page.status, 200);
        // Unknown addresses get the same answer.
        let unknown = b
            .submit(
                "/passwort-vergessen/",
                "/passwort-vergessen/",
                &[("email", "niemand@example.org")],
            )
            .await;
        assert_eq!(unknown.body, page.body.replace("niemand@example.org", ""));
        let link = link_in(&w.inbox.last_to(email).await.data, "/passwort-neu/");
        let mismatch = b
            .submit(
                &link,
                &link,
                &[
                    ("password", "ganz neues Passwort"),
                    ("password_repeat", "anders"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, 422);
        assert!(mismatch.body.contains("stimmen nicht überein"));
        let done = b
            .submit(
                &link,
                &link,
                &[
                    ("password", "ganz neues Passwort"),
                    ("password_repeat", "ganz neues Passwort"),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(
            old_device.get("/konto/").await.status,
            303,
            "old session ended"
        );
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 401);
        assert_eq!(b.sign_in(email, "ganz neues Passwort").await.status, 303);
        assert_eq!(b.get(&link).await.status, 400, "a reset link works once");
    });
}

#[test]
fn expired_sessions_sign_out() {
    block_on(async {
        let w = world().await;
        let email = "ablauf@example.org";
        account(email, false, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 303);
        assert_eq!(b.get("/konto/").await.status, 200);
        sqlx_expire(&w.server, email).await;
        let page = b.get("/konto/").await;
        assert_eq!(page.status, 303);
        assert!(page.location.starts_with("/anmelden/"));
        assert!(
            !b.cookies.contains_key("codefor_session"),
            "the stale cookie is removed"
        );
    });
}

async fn sqlx_expire(server: &Server, email: &str) {
    let db = &server.db.db;
    let id = codefor_storage::accounts::by_email(db, email)
        .await
        .expect("read")
        .expect("account")
        .id;
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::testing::expire_sessions(&mut tx, id)
        .await
        .expect("expire");
    codefor_storage::commit(tx).await.expect("commit");
}

/// Every role against every action over HTTP, including a lead of one lab (kiel)
/// trying another (leipzig).
#[test]
fn permission_matrix_over_http() {
    block_on(async {
        let w = world().await;
        account("matrix-signed@example.org", false, None).await;
        account("matrix-lead@example.org", false, Some("kiel")).await;
        account("matrix-admin@example.org", true, None).await;
        let member = account("matrix-member@example.org", false, None).await;
        {
            let db = &w.server.db.db;
            let acc = codefor_storage::accounts::get(db, member)
                .await
                .expect("read")
                .expect("account");
            let kiel = codefor_storage::labs::get(db, "kiel")
                .await
                .expect("read")
                .expect("kiel")
                .id;
            let mut tx = db.begin().await.expect("tx");
            codefor_storage::accounts::add_to_lab(
                &mut tx,
                &acc,
                kiel,
                codefor_domain::people::Role::Member,
            )
            .await
            .expect("member of kiel");
            codefor_storage::commit(tx).await.expect("commit");
        }
        let roles: [(&str, Option<&str>); 5] = [
            ("anonymous", None),
            ("signed in", Some("matrix-signed@example.org")),
            ("member of kiel", Some("matrix-member@example.org")),
            ("lead of kiel", Some("matrix-lead@example.org")),
            ("admin", Some("matrix-admin@example.org")),
        ];
        // (what, GET path, expected status per role: anonymous, signed in, member of
        // kiel, lead of kiel, admin)
        let actions: [(&str, &str, [u16; 5]); 22] = [
            (
                "edit own lab",
                "/bearbeiten/kiel/",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit other lab",
                "/bearbeiten/leipzig/",
                [303, 403, 403, 403, 200],
            ),
            (
                "history of own lab",
                "/versionen/kiel/",
                [303, 403, 403, 200, 200],
            ),
            ("admin page", "/admin/", [303, 403, 403, 403, 200]),
            (
                "edit a project of own lab",
                "/bearbeiten/projekte/foerdepegel/",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit a project shared with own lab",
                "/bearbeiten/projekte/wege-ohne-stufen/",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit a project of another lab",
                "/bearbeiten/projekte/haushalt-verstehen/",
                [303, 403, 403, 403, 200],
            ),
            (
                "edit a post of own lab",
                "/bearbeiten/blog/open-data-day-kiel/",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit a page",
                "/bearbeiten/impressum/",
                [303, 403, 403, 403, 200],
            ),
            (
                "delete a project of own lab",
                "/loeschen/projekte/foerdepegel/",
                [303, 403, 403, 403, 200],
            ),
            ("the trash", "/admin/papierkorb/", [303, 403, 403, 403, 200]),
            (
                "manage own lab's members",
                "/mitglieder/kiel/",
                [303, 403, 403, 200, 200],
            ),
            (
                "propose a lab",
                "/labs/vorschlagen/",
                [303, 200, 200, 200, 200],
            ),
            (
                "the proposals queue",
                "/admin/vorschlaege/",
                [303, 403, 403, 403, 200],
            ),
            (
                "create a lab",
                "/admin/labs/neu/",
                [303, 403, 403, 403, 200],
            ),
            ("upload a picture", "/hochladen/", [303, 403, 403, 200, 200]),
            ("own account", "/konto/", [303, 200, 200, 200, 200]),
            (
                "plan a meetup",
                "/termine/neu/?lab=kiel",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit own lab's meetup",
                "/termine/1/bearbeiten",
                [303, 403, 403, 200, 200],
            ),
            (
                "edit another lab's meetup",
                "/termine/2/bearbeiten",
                [303, 403, 403, 403, 200],
            ),
            (
                "edit a network meetup of several labs",
                "/termine/4/bearbeiten",
                [303, 403, 403, 403, 200],
            ),
            (
                "own calendar feed",
                "/konto/kalender/",
                [303, 200, 200, 200, 200],
            ),
        ];
        for (i, (role, email)) in roles.iter().enumerate() {
            let mut b = Browser::new(&w.server);
            if let Some(email) = email {
                assert_eq!(b.sign_in(email, PASSWORD).await.status, 303, "{role}");
            }
            for (what, path, expected) in &actions {
                let status = b.get(path).await.status;
                assert_eq!(status, expected[i], "{role}: {what} ({path})");
            }
            // Saving is checked on the server too, not only the form page.
            let token = CSRF
                .captures(&b.get("/konto/").await.body)
                .map(|c| c[1].to_owned())
                .unwrap_or_default();
            let base = hidden_fields(&b.get("/bearbeiten/leipzig/").await.body)
                .into_iter()
                .find(|(k, _)| k == "base")
                .map_or("0".to_owned(), |(_, v)| v);
            let save = b
                .post(
                    "/bearbeiten/leipzig/",
                    &[
                        ("name", "Gekapert"),
                        ("city", "X"),
                        ("intent", "save"),
                        ("base", &base),
                        ("csrf", &token),
                    ],
                )
                .await;
            let want = match *role {
                "admin" => 303,
                "anonymous" => 403,
                _ => 403,
            };
            assert_eq!(save.status, want, "{role}: save another lab");
            let grant = b
                .post("/admin/konten/1/admin", &[("admin", "1"), ("csrf", &token)])
                .await;
            let want = if *role == "admin" { 303 } else { 403 };
            assert_eq!(grant.status, want, "{role}: grant admin");

            // Every other state change, refused on the server for whoever may not.
            // (what, path, fields, expected status per role as above)
            let me = match email {
                Some(e) => codefor_storage::accounts::by_email(&w.server.db.db, e)
                    .await
                    .expect("read")
                    .map_or(0, |a| a.id),
                None => 0,
            };
            let lead_to = format!("/admin/konten/{me}/lab");
            let link_to = format!("/admin/konten/{me}/person");
            let posts: [PostCheck; 12] = [
                (
                    "restore another lab",
                    "/wiederherstellen/leipzig/",
                    vec![("nr", "1")],
                    [403, 403, 403, 403, 303],
                ),
                (
                    "preview for another lab",
                    "/vorschau/leipzig/",
                    vec![("body_md", "x")],
                    [403, 403, 403, 403, 200],
                ),
                (
                    "preview for own lab",
                    "/vorschau/kiel/",
                    vec![("body_md", "x")],
                    [403, 403, 403, 200, 200],
                ),
                (
                    "save a project of another lab",
                    "/bearbeiten/projekte/haushalt-verstehen/",
                    vec![("title", "x"), ("intent", "preview")],
                    [403, 403, 403, 403, 200],
                ),
                (
                    "make someone a lead",
                    &lead_to,
                    vec![("lab", "kiel")],
                    [403, 403, 403, 403, 303],
                ),
                (
                    "link someone to a person",
                    &link_to,
                    vec![("person", "gibt-es-nicht")],
                    [403, 403, 403, 403, 422],
                ),
                (
                    "found a lab",
                    "/admin/labs/neu/",
                    vec![("name", "")],
                    [403, 403, 403, 403, 422],
                ),
                (
                    "plan a meetup for another lab",
                    "/termine/neu/",
                    vec![("lab", "leipzig"), ("title", "x")],
                    [403, 403, 403, 422, 422],
                ),
                (
                    "cancel a date of another lab's meetup",
                    "/termine/2/absagen",
                    vec![("occurrence", "kein Datum"), ("cancel", "1")],
                    [403, 403, 403, 403, 422],
                ),
                (
                    "answer for a date that is not one",
                    "/termine/1/antwort",
                    vec![("occurrence", "2020-01-01T19:00:00"), ("answer", "yes")],
                    [403, 422, 422, 422, 422],
                ),
                (
                    "connect a calendar to another lab",
                    "/mitglieder/leipzig/kalender",
                    vec![("url", "ftp://example.org/x.ics")],
                    [403, 403, 403, 403, 422],
                ),
                (
                    "delete a project",
                    "/loeschen/projekte/wege-ohne-stufen/",
                    vec![],
                    [403, 403, 403, 403, 303],
                ),
            ];
            for (what, path, fields, expected) in &posts {
                let mut all = fields.clone();
                all.push(("csrf", &token));
                let page = b.post(path, &all).await;
                assert_eq!(page.status, expected[i], "{role}: {what} (POST {path})");
            }
            if *role == "admin" {
                // Bring the project back for everyone else.
                let id = codefor_storage::trash::list(&w.server.db.db)
                    .await
                    .expect("trash")
                    .into_iter()
                    .find(|d| d.key == "wege-ohne-stufen")
                    .expect("deleted")
                    .id;
                let back = b
                    .post(
                        &format!("/admin/papierkorb/project/{id}"),
                        &[("csrf", &token)],
                    )
                    .await;
                assert_eq!(back.status, 303);
            } else {
                let undelete = b
                    .post("/admin/papierkorb/project/1", &[("csrf", &token)])
                    .await;
                assert_eq!(undelete.status, 403, "{role}: undelete");
            }
            let upload = b.upload(&[("csrf", &token)], b"").await;
            let want = [403, 403, 403, 422, 422][i];
            assert_eq!(upload.status, want, "{role}: upload");
        }
        // The admin saved Leipzig and then restored revision 1, the imported state (no
        // other test looks at Leipzig's page).
        let page = crate::support::get(&w.server, "/leipzig/").await;
        assert!(!page.1.contains("Gekapert"));
        let db = &w.server.db.db;
        let leipzig = codefor_storage::labs::get(db, "leipzig")
            .await
            .expect("read")
            .expect("lab")
            .id;
        let history =
            codefor_storage::revisions::list(db, codefor_storage::revisions::Kind::Lab, leipzig)
                .await
                .expect("history");
        assert_eq!(history.len(), 3, "import, the admin's save, the restore");
    });
}

#[test]
fn a_lead_edits_with_errors_preview_history_diff_and_restore() {
    block_on(async {
        let w = world().await;
        let email = "lead-rostock@example.org";
        account(email, false, Some("rostock")).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 303);
        // The lab page offers editing to its lead, and to nobody who is not signed in.
        assert!(
            b.get("/rostock/")
                .await
                .body
                .contains(r#"href="/bearbeiten/rostock/""#)
        );
        let anonymous = crate::support::get(&w.server, "/rostock/").await.1;
        assert!(!anonymous.contains("/bearbeiten/"));
        let form = b.get("/bearbeiten/rostock/").await;
        assert_eq!(form.status, 200);
        let get = |name: &str| {
            let re = regex::Regex::new(&format!(
                r#"(?s)<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>|<input[^>]*name="{name}" type="text" value="([^"]*)""#
            ))
            .expect("regex");
            re.captures(&form.body)
                .and_then(|c| c.get(1).or(c.get(2)))
                .map(|m| {
                    m.as_str()
                        .replace("&amp;", "&")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                })
                .unwrap_or_default()
        };
        let (name, city, body, links, leads) = (
            get("name"),
            get("city"),
            get("body_md"),
            get("links"),
            get("leads"),
        );
        let old_meeting = get("meeting");
        assert!(!name.is_empty() && !city.is_empty(), "form is filled");

        // A bad link: 422, the error at the field with its line, the input kept.
        let bad = b
            .submit(
                "/bearbeiten/rostock/",
                "/bearbeiten/rostock/",
                &[
                    ("name", &name),
                    ("city", &city),
                    ("meeting", "Jeden Mittwoch, 18 Uhr"),
                    ("body_md", &body),
                    ("links", "Chat | javascript:alert(1)"),
                    ("leads", &leads),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Zeile 1:"), "{}", bad.body);
        assert!(bad.body.contains("Jeden Mittwoch, 18 Uhr"));

        // Preview renders sanitized Markdown without saving.
        let preview = b
            .submit(
                "/bearbeiten/rostock/",
                "/bearbeiten/rostock/",
                &[
                    ("name", &name),
                    ("city", &city),
                    ("meeting", &old_meeting),
                    ("body_md", "**Neu** <script>alert(1)</script>"),
                    ("links", &links),
                    ("leads", &leads),
                    ("intent", "preview"),
                ],
            )
            .await;
        assert_eq!(preview.status, 200);
        assert!(preview.body.contains("<strong>Neu</strong>"));
        assert!(!preview.body.contains("<script>alert"));

        let saved = b
            .submit(
                "/bearbeiten/rostock/",
                "/bearbeiten/rostock/",
                &[
                    ("name", &name),
                    ("city", &city),
                    ("meeting", "Jeden Mittwoch, 18 Uhr"),
                    ("body_md", &body),
                    ("links", &links),
                    ("leads", &leads),
                    ("intent", "save"),
                    ("summary", "Neuer Termin"),
                ],
            )
            .await;
        let errors: Vec<&str> = saved
            .body
            .lines()
            .filter(|l| l.contains("field-error"))
            .collect();
        assert_eq!(saved.status, 303, "{errors:?}");
        let public = crate::support::get(&w.server, "/rostock/").await.1;
        assert!(
            public.contains("Jeden Mittwoch, 18 Uhr"),
            "the public page shows the edit"
        );

        let history = b.get("/versionen/rostock/").await;
        assert!(history.body.contains("Version 2"));
        assert!(history.body.contains("Neuer Termin"));
        assert!(history.body.contains("Stand vor der ersten Bearbeitung"));
        let diff = b.get("/versionen/rostock/?nr=2").await;
        assert!(diff.body.contains("<ins><span class=\"visually-hidden\">Hinzugefügt: </span><span aria-hidden=\"true\">+ </span>Jeden Mittwoch, 18 Uhr</ins>"), "{}", diff.body);

        let restored = b
            .submit(
                "/versionen/rostock/?nr=1",
                "/wiederherstellen/rostock/",
                &[("nr", "1")],
            )
            .await;
        assert_eq!(restored.status, 303);
        let public = crate::support::get(&w.server, "/rostock/").await.1;
        assert!(!public.contains("Jeden Mittwoch, 18 Uhr"), "restored");
        let history = b.get("/versionen/rostock/").await;
        assert!(history.body.contains("Version 1 wiederhergestellt"));
        // One person typed twice in different case is one lead, not an error.
        let twice = b
            .submit(
                "/bearbeiten/rostock/",
                "/bearbeiten/rostock/",
                &[
                    ("name", &name),
                    ("city", &city),
                    ("body_md", &body),
                    ("links", &links),
                    ("leads", &format!("{leads}\nNeue Leitung\nneue  leitung")),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(twice.status, 303, "{}", twice.body);
        let rostock = codefor_storage::labs::get(&w.server.db.db, "rostock")
            .await
            .expect("read")
            .expect("lab");
        assert_eq!(
            rostock
                .leads
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case("neue leitung"))
                .count(),
            1
        );
        let log = codefor_storage::audit::recent(&w.server.db.db, 50)
            .await
            .expect("audit");
        assert!(
            log.iter()
                .any(|e| e.action == "lab.restore" && e.target == "lab rostock")
        );
    });
}

#[test]
fn export_and_deletion_of_ones_own_data() {
    block_on(async {
        let w = world().await;
        let email = "weg@example.org";
        account(email, false, Some("freiburg")).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 303);
        let edit = b.get("/bearbeiten/freiburg/").await;
        assert_eq!(edit.status, 200);
        let page = b
            .submit(
                "/bearbeiten/freiburg/",
                "/bearbeiten/freiburg/",
                &[
                    ("name", "OK Lab Freiburg"),
                    ("city", "Freiburg"),
                    ("meeting", "Donnerstags"),
                    ("leads", "Lea Lead"),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        // An answer to a meetup is one's own data too.
        let meetup = b.get("/termine/1/").await.body;
        let date = meetup
            .split(r#"name="occurrence" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a date to answer")
            .to_owned();
        let said = b
            .submit(
                "/termine/1/",
                "/termine/1/antwort",
                &[("occurrence", &date), ("answer", "maybe")],
            )
            .await;
        assert_eq!(said.status, 200, "{}", said.body);

        let export = b.get("/konto/export.json").await;
        assert_eq!(export.status, 200);
        let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
        assert_eq!(data["account"]["email"], email);
        assert_eq!(data["labs"]["lead"][0], "freiburg");
        assert_eq!(data["meetup_answers"][0]["answer"], "maybe");
        assert_eq!(data["meetup_answers"][0]["date"], date.as_str());
        let me = codefor_storage::accounts::by_email(&w.server.db.db, email)
            .await
            .expect("read")
            .expect("account")
            .id;
        assert_eq!(data["revisions"].as_array().map(Vec::len), Some(1));
        assert!(
            !export.body.contains("argon2"),
            "no password hash in the export"
        );

        let wrong = b
            .submit(
                "/konto/",
                "/konto/loeschen",
                &[("delete_password", "falsch")],
            )
            .await;
        assert_eq!(wrong.status, 422);
        let gone = b
            .submit(
                "/konto/",
                "/konto/loeschen",
                &[("delete_password", PASSWORD)],
            )
            .await;
        assert_eq!(gone.status, 200, "{}", gone.body);
        let db = &w.server.db.db;
        assert!(
            codefor_storage::accounts::by_email(db, email)
                .await
                .expect("read")
                .is_none()
        );
        assert_eq!(b.sign_in(email, PASSWORD).await.status, 401);
        assert!(
            codefor_storage::meetups::rsvps_of(db, me)
                .await
                .expect("read")
                .is_empty(),
            "answers go with the account"
        );
        let lab = codefor_storage::labs::get(db, "freiburg")
            .await
            .expect("read")
            .expect("lab");
        let revs =
            codefor_storage::revisions::list(db, codefor_storage::revisions::Kind::Lab, lab.id)
                .await
                .expect("revisions");
        assert_eq!(revs[0].author, "ehemaliges Mitglied");
        assert_eq!(revs[0].account_id, None);
    });
}

/// No page shows a password hash, a session token or another person's address.
#[test]
fn responses_never_contain_secrets() {
    block_on(async {
        let w = world().await;
        let admin_mail = "scan-admin@example.org";
        account(admin_mail, true, None).await;
        account("scan-other@example.org", false, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(admin_mail, PASSWORD).await.status, 303);
        let token = b
            .cookies
            .get("codefor_session")
            .cloned()
            .unwrap_or_default();
        assert_eq!(token.len(), 64);
        let mut other = Browser::new(&w.server);
        assert_eq!(
            other
                .sign_in("scan-other@example.org", PASSWORD)
                .await
                .status,
            303
        );
        let other_pages: Vec<Page> = vec![
            other.get("/konto/").await,
            other.get("/kiel/").await,
            other.get("/").await,
            other.get("/konto/export.json").await,
        ];
        for page in &other_pages {
            assert!(!page.body.contains("$argon2"), "hash leaked");
            assert!(
                !page.body.contains(&token),
                "someone's session token leaked"
            );
            assert!(
                !page.body.contains(admin_mail),
                "another person's address leaked"
            );
        }
        for path in [
            "/admin/",
            "/konto/",
            "/",
            "/kiel/",
            "/versionen/kiel/",
            "/konto/export.json",
            "/labs/index.json",
            "/projekte/index.json",
        ] {
            let page = b.get(path).await;
            assert!(!page.body.contains("$argon2"), "{path}: hash");
            assert!(!page.body.contains(&token), "{path}: session token");
        }

        // The admin's private and members-only profile parts, with markers to look for.
        let private = "GEHEIM-7f3a";
        let members = "NURMITGLIEDER-9c2e";
        let saved = b
            .submit(
                "/konto/profil/",
                "/konto/profil/",
                &[
                    ("bio", private),
                    ("skills_free", members),
                    ("visibility:bio", "private"),
                    ("visibility:skills", "members"),
                    ("visibility:sector", "public"),
                    ("sector", "politics"),
                ],
            )
            .await;
        assert_eq!(saved.status, 200);
        let admin_id = codefor_storage::accounts::by_email(&w.server.db.db, admin_mail)
            .await
            .expect("read")
            .expect("admin")
            .id;
        // Every page the sitemap names, the feeds and JSON, and the admin's profile.
        let sitemap = crate::support::get(&w.server, "/sitemap.xml").await.1;
        let mut paths: Vec<String> = regex::Regex::new(r"<loc>https?://[^/]+(/[^<]*)</loc>")
            .expect("regex")
            .captures_iter(&sitemap)
            .map(|c| c[1].to_owned())
            .collect();
        assert!(paths.len() > 10, "the sitemap lists the site: {paths:?}");
        paths.extend(
            [
                "/index.xml",
                "/projekte/index.xml",
                "/labs/index.xml",
                "/labs/index.json",
                "/projekte/index.json",
                "/api/network.json",
            ]
            .map(String::from),
        );
        paths.push(format!("/profil/{admin_id}/"));
        let mut anonymous = Browser::new(&w.server);
        for path in &paths {
            for (who, browser) in [
                ("anonymous", &mut anonymous),
                ("another member", &mut other),
            ] {
                let page = browser.get(path).await;
                for secret in ["$argon2", token.as_str(), private, admin_mail] {
                    assert!(!page.body.contains(secret), "{who} saw {secret} on {path}");
                }
                if who == "anonymous" {
                    assert!(
                        !page.body.contains(members),
                        "anonymous saw a members-only part on {path}"
                    );
                }
            }
        }
        let profile = other.get(&format!("/profil/{admin_id}/")).await.body;
        assert!(
            profile.contains(members) && profile.contains("Politik"),
            "members see what is theirs to see"
        );
    });
}

#[test]
fn projects_posts_and_pages_are_edited_with_history() {
    block_on(async {
        let w = world().await;
        let lead = "lead-koeln@example.org";
        account(lead, false, Some("koeln")).await;
        let admin_mail = "admin-seiten@example.org";
        account(admin_mail, true, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(lead, PASSWORD).await.status, 303);

        // A project of the lead's lab: an unknown status and a bad link are refused.
        let path = "/bearbeiten/projekte/ratsinfo-radar/";
        let bad = b
            .submit(
                path,
                path,
                &[
                    ("title", "Ratsinfo-Radar"),
                    ("development_status", "fertig"),
                    ("links", "Code | ftp://x"),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Bitte wähle aus der Liste."));
        assert!(bad.body.contains("Zeile 1:"));
        let ok = b
            .submit(
                path,
                path,
                &[
                    ("title", "Ratsinfo-Radar"),
                    ("summary", "Ratsbeschlüsse durchsuchen."),
                    ("development_status", "development"),
                    ("looking_for_people", "1"),
                    ("themes_politik", "1"),
                    ("license", "EUPL-1.2"),
                    (
                        "body_md",
                        "Wir suchen **Mitmachende**. Siehe [Köln](/koeln/).",
                    ),
                    ("topics", "Transparenz, Politik"),
                    ("links", "Code | https://example.org/ratsinfo"),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(ok.location, "/projekte/ratsinfo-radar/?gespeichert");
        let public = crate::support::get(&w.server, "/projekte/ratsinfo-radar/")
            .await
            .1;
        assert!(public.contains("<strong>Mitmachende</strong>"));
        assert!(public.contains("Sucht Mitmachende"));
        assert!(public.contains("EUPL-1.2"), "the licence is shown");
        assert!(
            public.contains("Politik und Verwaltung"),
            "the theme is shown"
        );
        let history = b.get("/versionen/projekte/ratsinfo-radar/").await;
        assert!(history.body.contains("Version 2"), "{}", history.body);

        // The live preview answers JSON to those who may edit, and only to them.
        let token = CSRF
            .captures(&b.get(path).await.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default();
        let live = b
            .post(
                "/vorschau/projekte/ratsinfo-radar/",
                &[
                    ("body_md", "*kursiv* <script>x</script>"),
                    ("title", "Ratsinfo-Radar"),
                    ("csrf", &token),
                ],
            )
            .await;
        assert_eq!(live.status, 200);
        let json: serde_json::Value = serde_json::from_str(&live.body).expect("json");
        assert_eq!(
            json["html"].as_str().map(str::trim),
            Some("<p><em>kursiv</em> </p>")
        );
        let stranger = b
            .post(
                "/vorschau/projekte/haushalt-verstehen/",
                &[("body_md", "x"), ("csrf", &token)],
            )
            .await;
        assert_eq!(stranger.status, 403);

        // Preview shows what the link checks noticed, and saves nothing.
        let preview = b
            .submit(
                path,
                path,
                &[
                    ("title", "Ratsinfo-Radar"),
                    ("body_md", "[kaputt](/gibt-es-nicht/)"),
                    ("intent", "preview"),
                ],
            )
            .await;
        assert_eq!(preview.status, 200);
        assert!(
            preview.body.contains("Hinweise zu Links"),
            "{}",
            preview.body
        );
        assert_eq!(
            b.get("/versionen/projekte/ratsinfo-radar/")
                .await
                .body
                .matches("Version ")
                .count(),
            history.body.matches("Version ").count()
        );

        // A lead cannot edit pages; an admin can, and restores the imported text.
        assert_eq!(b.get("/bearbeiten/impressum/").await.status, 403);
        let mut admin = Browser::new(&w.server);
        assert_eq!(admin.sign_in(admin_mail, PASSWORD).await.status, 303);
        let before = crate::support::get(&w.server, "/impressum/").await.1;
        let page = admin
            .submit(
                "/bearbeiten/impressum/",
                "/bearbeiten/impressum/",
                &[
                    ("title", "Impressum"),
                    ("body_md", "# Impressum\n\nNeue Anschrift: Musterweg 1."),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert!(
            crate::support::get(&w.server, "/impressum/")
                .await
                .1
                .contains("Musterweg 1")
        );
        let restored = admin
            .submit(
                "/versionen/impressum/?nr=1",
                "/wiederherstellen/impressum/",
                &[("nr", "1")],
            )
            .await;
        assert_eq!(restored.status, 303);
        let after = crate::support::get(&w.server, "/impressum/").await.1;
        assert!(!after.contains("Musterweg 1"));
        let text = |html: &str| {
            scraper::Html::parse_document(html)
                .select(&scraper::Selector::parse("main").expect("selector"))
                .map(|m| m.text().collect::<String>())
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            text(&after),
            text(&before),
            "the restored page reads as the imported one"
        );

        // A post of the lead's lab.
        let post = b
            .submit(
                "/bearbeiten/blog/haushalt-in-anderen-kommunen/",
                "/bearbeiten/blog/haushalt-in-anderen-kommunen/",
                &[("title", "x"), ("intent", "save")],
            )
            .await;
        assert_eq!(post.status, 403, "a post of Leipzig is not Köln's");
    });
}

#[test]
fn deleting_is_soft_and_admins_bring_records_back() {
    block_on(async {
        let w = world().await;
        let admin_mail = "admin-papierkorb@example.org";
        account(admin_mail, true, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(admin_mail, PASSWORD).await.status, 303);
        let project = "/projekte/klimadaten-freiburg/";
        assert!(
            b.get(project)
                .await
                .body
                .contains("/loeschen/projekte/klimadaten-freiburg/")
        );
        let gone = b
            .submit(
                "/loeschen/projekte/klimadaten-freiburg/",
                "/loeschen/projekte/klimadaten-freiburg/",
                &[],
            )
            .await;
        assert_eq!(gone.status, 303);
        assert_eq!(crate::support::get(&w.server, project).await.0, 404);
        assert!(
            !crate::support::get(&w.server, "/projekte/")
                .await
                .1
                .contains("klimadaten-freiburg")
        );
        assert!(
            !crate::support::get(&w.server, "/projekte/index.json")
                .await
                .1
                .contains("klimadaten-freiburg")
        );
        let trash = b.get("/admin/papierkorb/").await;
        assert!(trash.body.contains("klimadaten-freiburg"), "{}", trash.body);
        let db = &w.server.db.db;
        let deleted = codefor_storage::trash::list(db).await.expect("trash");
        let item = deleted
            .iter()
            .find(|d| d.key == "klimadaten-freiburg")
            .expect("in the trash");
        let back = b
            .submit(
                "/admin/papierkorb/",
                &format!("/admin/papierkorb/project/{}", item.id),
                &[],
            )
            .await;
        assert_eq!(back.status, 303);
        assert_eq!(crate::support::get(&w.server, project).await.0, 200);
        let log = codefor_storage::audit::recent(db, 50).await.expect("audit");
        for action in ["project.delete", "project.undelete"] {
            assert!(
                log.iter()
                    .any(|e| e.action == action
                        && e.target == "project projekte/klimadaten-freiburg"),
                "{action} in the audit log"
            );
        }
    });
}

#[test]
fn profiles_show_each_part_only_to_whom_the_person_chose() {
    block_on(async {
        let w = world().await;
        let email = "profil@example.org";
        let id = account(email, false, Some("koeln")).await;
        let mut owner = Browser::new(&w.server);
        assert_eq!(owner.sign_in(email, PASSWORD).await.status, 303);
        // Nothing chosen yet: private by default, so nobody else sees a profile.
        assert_eq!(
            crate::support::get(&w.server, &format!("/profil/{id}/"))
                .await
                .0,
            404
        );

        let bad = owner
            .submit("/konto/profil/", "/konto/profil/", &[("sector", "adel")])
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Bitte wähle einen Bereich"));
        let saved = owner
            .submit(
                "/konto/profil/",
                "/konto/profil/",
                &[
                    ("bio", "Ich baue gern Karten."),
                    ("sector", "administration"),
                    ("skill:Datenanalyse", "1"),
                    ("skills_free", "QGIS"),
                    ("interest:Mobilität", "1"),
                    ("visibility:bio", "public"),
                    ("visibility:sector", "public"),
                    ("visibility:skills", "members"),
                    ("visibility:interests", "private"),
                    ("visibility:labs", "members"),
                ],
            )
            .await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(saved.body.contains("gespeichert"));

        let path = format!("/profil/{id}/");
        let anyone = crate::support::get(&w.server, &path).await.1;
        assert!(anyone.contains("Ich baue gern Karten.") && anyone.contains("Verwaltung"));
        assert!(
            !anyone.contains("QGIS")
                && !anyone.contains("Mobilität")
                && !anyone.contains("/koeln/\"")
        );
        let other = "profil-andere@example.org";
        account(other, false, None).await;
        let mut member = Browser::new(&w.server);
        assert_eq!(member.sign_in(other, PASSWORD).await.status, 303);
        let seen = member.get(&path).await.body;
        assert!(
            seen.contains("QGIS")
                && seen.contains("Datenanalyse")
                && seen.contains("href=\"/koeln/\"")
        );
        assert!(
            !seen.contains("Mobilität"),
            "interests are the owner's alone"
        );
        let own = owner.get(&path).await.body;
        assert!(own.contains("Mobilität"));

        let export = owner.get("/konto/export.json").await;
        let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
        assert_eq!(data["profile"]["bio"], "Ich baue gern Karten.");
        assert_eq!(data["profile"]["visibility"]["interests"], "private");
    });
}

#[test]
fn people_named_in_content_are_claimed_by_their_confirmed_address() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let mut tx = db.begin().await.expect("tx");
        for (key, mail) in [
            ("ada-beispiel", "mailto:ada@example.org"),
            ("bob-beispiel", "https://example.org"),
        ] {
            codefor_storage::people::upsert(
                &mut tx,
                &codefor_domain::Person {
                    key: key.into(),
                    name: key.replace('-', " "),
                    links: vec![codefor_domain::Link {
                        name: "Kontakt".into(),
                        url: mail.into(),
                    }],
                    ..Default::default()
                },
            )
            .await
            .expect("person");
        }
        codefor_storage::commit(tx).await.expect("commit");
        account("ada@example.org", false, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in("ada@example.org", PASSWORD).await.status, 303);
        let refused = b
            .submit("/konto/", "/konto/person", &[("person", "bob-beispiel")])
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("nennen deine E-Mail-Adresse nicht"));
        let claimed = b
            .submit("/konto/", "/konto/person", &[("person", "ada-beispiel")])
            .await;
        assert_eq!(claimed.status, 200, "{}", claimed.body);
        assert!(
            claimed
                .body
                .contains("Du bist jetzt als ada beispiel eingetragen.")
        );
        let account = codefor_storage::accounts::by_email(db, "ada@example.org")
            .await
            .expect("read")
            .expect("account");
        let (person, _) = codefor_storage::people::by_key(db, "ada-beispiel")
            .await
            .expect("read")
            .expect("person");
        assert_eq!(account.person_id, Some(person));
    });
}

#[test]
fn leads_upload_pictures_checked_by_content_and_size() {
    block_on(async {
        let w = world().await;
        let lead = "bilder@example.org";
        account(lead, false, Some("kiel")).await;
        let mut b = Browser::new(&w.server);
        // Not signed in: off to sign in; signed in without editing rights: refused.
        assert_eq!(b.get("/hochladen/").await.status, 303);
        let other = "keine-bilder@example.org";
        account(other, false, None).await;
        let mut nobody = Browser::new(&w.server);
        assert_eq!(nobody.sign_in(other, PASSWORD).await.status, 303);
        assert_eq!(nobody.get("/hochladen/").await.status, 403);

        assert_eq!(b.sign_in(lead, PASSWORD).await.status, 303);
        let form = b.get("/hochladen/").await;
        assert_eq!(form.status, 200);
        let token = CSRF
            .captures(&form.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default();
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[7u8; 300]);

        assert_eq!(b.upload(&[], &png).await.status, 403, "no CSRF token");
        let svg = b
            .upload(&[("csrf", &token)], b"<svg onload=alert(1)></svg>")
            .await;
        assert_eq!(svg.status, 422, "{}", svg.body);
        assert!(
            svg.body
                .contains("kein Bild in einem der erlaubten Formate")
        );
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(5 * 1024 * 1024 + 1, 0);
        let too_big = b.upload(&[("csrf", &token)], &big).await;
        assert_eq!(too_big.status, 422);
        assert!(too_big.body.contains("höchstens 5 MB"));
        let mut huge = big.clone();
        huge.resize(7 * 1024 * 1024, 0);
        // Over the cap: 413, or the server stops reading before the client is done.
        match b.try_upload(&[("csrf", &token)], &huge).await {
            Ok(page) => assert_eq!(page.status, 413, "body over the cap"),
            Err(e) => assert!(e.is_request(), "{e}"),
        }

        let ok = b
            .upload(&[("csrf", &token), ("alt", "Ein Testbild")], &png)
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        let re =
            regex::Regex::new(r"!\[Ein Testbild\]\((/uploads/[0-9a-f]{64}\.png)\)").expect("regex");
        let url = re
            .captures(&ok.body)
            .map(|c| c[1].to_owned())
            .expect("snippet with the URL");
        let file = url.trim_start_matches("/uploads/");
        assert!(
            w.uploads.path().join(&file[..2]).join(file).exists(),
            "stored on disk"
        );

        let r = crate::support::client()
            .get(w.server.url(&url))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap_or("")
                .contains("immutable")
        );
        let etag = r.headers()["etag"].clone();
        assert_eq!(r.bytes().await.expect("body").as_ref(), png.as_slice());
        let again = crate::support::client()
            .get(w.server.url(&url))
            .header("if-none-match", etag)
            .send()
            .await
            .expect("GET");
        assert_eq!(again.status().as_u16(), 304);
        assert_eq!(
            crate::support::get(&w.server, "/uploads/..%2F..%2Fetc%2Fpasswd")
                .await
                .0,
            404
        );
        let unknown = format!("/uploads/{}.png", "0".repeat(64));
        assert_eq!(crate::support::get(&w.server, &unknown).await.0, 404);

        let export = b.get("/konto/export.json").await;
        assert!(export.body.contains(&url), "the export lists the upload");

        // The snippet goes into a text and shows the picture, with no warning about it.
        let snippet = format!("![Ein Testbild]({url})");
        let preview = b
            .submit(
                "/bearbeiten/projekte/foerdepegel/",
                "/bearbeiten/projekte/foerdepegel/",
                &[
                    ("title", "Fördepegel"),
                    ("body_md", &snippet),
                    ("intent", "preview"),
                ],
            )
            .await;
        assert!(
            preview
                .body
                .contains(&format!(r#"<img src="{url}" alt="Ein Testbild""#)),
            "{}",
            preview.body
        );
        assert!(!preview.body.contains("Hinweise zu Links"));
    });
}

#[test]
fn admins_found_labs_with_checked_addresses() {
    block_on(async {
        let w = world().await;
        let admin_mail = "gruender@example.org";
        account(admin_mail, true, None).await;
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(admin_mail, PASSWORD).await.status, 303);
        let form = "/admin/labs/neu/";
        let bad = b
            .submit(
                form,
                form,
                &[
                    ("name", "OK Lab Admin"),
                    ("city", "Irgendwo"),
                    ("slug", "admin"),
                    ("latitude", "120"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("braucht die Plattform selbst"));
        assert!(bad.body.contains("Bitte wähle das Bundesland."));
        assert!(bad.body.contains("Eine Zahl zwischen 47 und 55.5"));
        assert!(bad.body.contains(r#"value="OK Lab Admin""#), "input kept");
        let taken = b
            .submit(
                form,
                form,
                &[
                    ("name", "Noch ein Kiel"),
                    ("city", "Kiel"),
                    ("state_key", "01"),
                ],
            )
            .await;
        assert_eq!(taken.status, 422, "the address kiel is taken");
        assert!(taken.body.contains("gibt es schon"));
        let made = b
            .submit(
                form,
                form,
                &[
                    ("name", "OK Lab Bad Oldesloe"),
                    ("city", "Bad Oldesloe"),
                    ("state_key", "01"),
                    ("latitude", "53,81"),
                    ("longitude", "10.37"),
                    ("meeting", "Jeden ersten Montag"),
                ],
            )
            .await;
        assert_eq!(made.status, 303, "{}", made.body);
        assert_eq!(made.location, "/bad-oldesloe/");
        let page = crate::support::get(&w.server, "/bad-oldesloe/").await;
        assert_eq!(page.0, 200);
        assert!(page.1.contains("Jeden ersten Montag"));
        assert!(
            crate::support::get(&w.server, "/labs/")
                .await
                .1
                .contains("/bad-oldesloe/")
        );
        let history = b.get("/versionen/bad-oldesloe/").await;
        assert!(history.body.contains("Lab gegründet"));
        let log = codefor_storage::audit::recent(&w.server.db.db, 100)
            .await
            .expect("audit");
        assert!(
            log.iter()
                .any(|e| e.action == "lab.create" && e.target == "bad-oldesloe")
        );
    });
}

#[test]
fn a_save_from_an_outdated_form_does_not_undo_another_change() {
    block_on(async {
        let w = world().await;
        account("konflikt-a@example.org", false, Some("leipzig")).await;
        account("konflikt-b@example.org", false, Some("leipzig")).await;
        let mut a = Browser::new(&w.server);
        let mut b = Browser::new(&w.server);
        assert_eq!(
            a.sign_in("konflikt-a@example.org", PASSWORD).await.status,
            303
        );
        assert_eq!(
            b.sign_in("konflikt-b@example.org", PASSWORD).await.status,
            303
        );
        let path = "/bearbeiten/blog/haushalt-in-anderen-kommunen/";
        // Both open the form; A saves first.
        let form_b = b.get(path).await;
        let first = a
            .submit(
                path,
                path,
                &[
                    ("title", "Haushalt anderswo"),
                    ("body_md", "Fassung A"),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(first.status, 303, "{}", first.body);
        // B saves from the form opened before: refused, with B's text kept.
        let mut fields: Vec<(String, String)> = hidden_fields(&form_b.body);
        fields.extend([
            ("title".to_owned(), "Haushalt anderswo".to_owned()),
            ("body_md".to_owned(), "Fassung B".to_owned()),
            ("intent".to_owned(), "save".to_owned()),
        ]);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let stale = b.post(path, &refs).await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(
            stale
                .body
                .contains("Inzwischen hat jemand anderes gespeichert")
        );
        assert!(stale.body.contains("Fassung B"));
        let public = crate::support::get(&w.server, "/blog/haushalt-in-anderen-kommunen/")
            .await
            .1;
        assert!(public.contains("Fassung A") && !public.contains("Fassung B"));
        // Having seen it, B saves again from the refreshed form: now it counts.
        let fields = hidden_fields(&stale.body);
        let mut refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        refs.extend([
            ("title", "Haushalt anderswo"),
            ("body_md", "Fassung B"),
            ("intent", "save"),
        ]);
        assert_eq!(b.post(path, &refs).await.status, 303);
        let history = b
            .get("/versionen/blog/haushalt-in-anderen-kommunen/")
            .await
            .body;
        assert!(
            history.contains("Version 3"),
            "A's version stays in the history: {history}"
        );
    });
}

#[test]
fn changing_the_address_and_the_password() {
    block_on(async {
        let w = world().await;
        let old = "umzug-alt@example.org";
        let new = "umzug-neu@example.org";
        account(old, false, None).await;
        let mut phone = Browser::new(&w.server);
        assert_eq!(phone.sign_in(old, PASSWORD).await.status, 303);
        let mut b = Browser::new(&w.server);
        assert_eq!(b.sign_in(old, PASSWORD).await.status, 303);

        // The address: a wrong password is refused in place; then a link to the new one.
        let wrong = b
            .submit(
                "/konto/",
                "/konto/email",
                &[("new_email", new), ("email_password", "falsch")],
            )
            .await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("Das Passwort stimmt nicht."));
        let asked = b
            .submit(
                "/konto/",
                "/konto/email",
                &[("new_email", new), ("email_password", PASSWORD)],
            )
            .await;
        assert_eq!(asked.status, 200, "{}", asked.body);
        assert!(
            w.inbox.last_to(old).await.data.contains("neue"),
            "the old address is told"
        );
        let link = link_in(&w.inbox.last_to(new).await.data, "/konto/email/");
        let db = &w.server.db.db;
        assert!(
            codefor_storage::accounts::by_email(db, old)
                .await
                .expect("read")
                .is_some(),
            "nothing changes before the link"
        );
        let done = b.submit(&link, &link, &[]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(
            codefor_storage::accounts::by_email(db, new)
                .await
                .expect("read")
                .is_some()
        );
        assert!(
            codefor_storage::accounts::by_email(db, old)
                .await
                .expect("read")
                .is_none()
        );

        // The password: this device stays signed in, every other one is signed out.
        let changed = b
            .submit(
                "/konto/",
                "/konto/passwort",
                &[
                    ("current_password", PASSWORD),
                    ("password", "ein neues langes Passwort"),
                    ("password_repeat", "ein neues langes Passwort"),
                ],
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.body);
        assert!(changed.body.contains("Alle anderen Geräte sind abgemeldet"));
        assert_eq!(b.get("/konto/").await.status, 200);
        assert_eq!(phone.get("/konto/").await.status, 303);
        let mut fresh = Browser::new(&w.server);
        assert_eq!(
            fresh.sign_in(new, "ein neues langes Passwort").await.status,
            303
        );
    });
}

/// SQLite hands out the id of a deleted last row again; the person made for the deleted
/// account stays (renamed, in no lab any more), and a new account with the same id gets
/// its own.
#[test]
fn a_reused_account_id_gets_its_own_person() {
    block_on(async {
        let t = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&t.db).await.expect("demo");
        let db = &t.db;
        let make = |email: &'static str| async move {
            let hash = codefor_core::secrets::hash_password(PASSWORD.into())
                .await
                .expect("hash");
            let mut tx = db.begin().await.expect("tx");
            let id =
                codefor_storage::accounts::create(&mut tx, email, &hash, "Gleicher Name", false)
                    .await
                    .expect("create")
                    .expect("new");
            codefor_storage::accounts::confirm(&mut tx, id)
                .await
                .expect("confirm");
            codefor_storage::commit(tx).await.expect("commit");
            admin::make_lead(db, Actor::COMMAND_LINE, id, "kiel")
                .await
                .expect("lead");
            id
        };
        let first = make("erste@example.org").await;
        let account = codefor_storage::accounts::get(db, first)
            .await
            .expect("read")
            .expect("account");
        codefor_core::accounts::delete(db, &account, PASSWORD)
            .await
            .expect("delete");
        let second = make("zweite@example.org").await;
        let kiel = codefor_storage::labs::get(db, "kiel")
            .await
            .expect("read")
            .expect("kiel");
        let names: Vec<&str> = kiel.leads.iter().map(|p| p.name.as_str()).collect();
        assert!(
            !names.contains(&"ehemaliges Mitglied"),
            "a deleted account leads nothing: {names:?}"
        );
        assert!(
            names.contains(&"Gleicher Name"),
            "{names:?} (account ids {first} and {second})"
        );
    });
}

#[test]
fn joining_a_lab_with_the_leads_answer() {
    block_on(async {
        let w = world().await;
        let lead = "koeln-chef@example.org";
        account(lead, false, Some("koeln")).await;
        let mut l = Browser::new(&w.server);
        assert_eq!(l.sign_in(lead, PASSWORD).await.status, 303);
        let person = "neu-in-koeln@example.org";
        account(person, false, None).await;
        let mut p = Browser::new(&w.server);
        assert_eq!(p.sign_in(person, PASSWORD).await.status, 303);

        // Asking, with a message; the lead hears of it by mail.
        assert!(p.get("/koeln/").await.body.contains("Beitreten anfragen"));
        let asked = p
            .submit(
                "/koeln/",
                "/beitreten/koeln/",
                &[("message", "Ich kann Karten bauen.")],
            )
            .await;
        assert_eq!(asked.status, 303, "{}", asked.body);
        assert!(
            p.get("/koeln/")
                .await
                .body
                .contains("wartet auf eine Antwort")
        );
        let mail = w.inbox.last_to(lead).await;
        assert!(mail.data.contains("/mitglieder/koeln/"), "{}", mail.data);
        assert!(mail.data.contains("Ich kann Karten bauen."));

        // Only the leads see the requests.
        assert_eq!(p.get("/mitglieder/koeln/").await.status, 403);
        let dashboard = l.get("/mitglieder/koeln/").await;
        assert_eq!(dashboard.status, 200);
        assert!(dashboard.body.contains("Ich kann Karten bauen."));
        assert!(l.get("/koeln/").await.body.contains("1 offene Anfrage"));
        let person_id = codefor_storage::accounts::by_email(&w.server.db.db, person)
            .await
            .expect("read")
            .and_then(|a| a.person_id)
            .expect("a person for the account")
            .to_string();
        let accepted = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/antwort",
                &[("person", &person_id), ("accept", "1")],
            )
            .await;
        assert_eq!(accepted.status, 303, "{}", accepted.body);
        assert!(w.inbox.last_to(person).await.data.contains("willkommen"));
        assert!(
            p.get("/koeln/")
                .await
                .body
                .contains("Du bist Mitglied dieses Labs.")
        );

        // The public member list follows the person's choice for their labs.
        let members_section = |html: &str| {
            html.split("id=\"mitglieder\"")
                .nth(1)
                .and_then(|rest| rest.split("</section>").next())
                .unwrap_or("")
                .to_owned()
        };
        let public = crate::support::get(&w.server, "/koeln/").await.1;
        assert!(
            !members_section(&public).contains("Lea Lead"),
            "private by default"
        );
        let saved = p
            .submit(
                "/konto/profil/",
                "/konto/profil/",
                &[("visibility:labs", "public")],
            )
            .await;
        assert_eq!(saved.status, 200);
        let public = crate::support::get(&w.server, "/koeln/").await.1;
        assert!(
            members_section(&public).contains("Lea Lead"),
            "now listed: {public}"
        );

        // A co-lead may edit the lab.
        assert_eq!(p.get("/bearbeiten/koeln/").await.status, 403);
        let appointed = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/co-leitung",
                &[("person", &person_id)],
            )
            .await;
        assert_eq!(appointed.status, 303);
        assert_eq!(p.get("/bearbeiten/koeln/").await.status, 200);

        // Another person is declined; a third one joins and leaves again.
        let other = "abgelehnt@example.org";
        account(other, false, None).await;
        let mut o = Browser::new(&w.server);
        assert_eq!(o.sign_in(other, PASSWORD).await.status, 303);
        assert_eq!(
            o.submit("/koeln/", "/beitreten/koeln/", &[]).await.status,
            303
        );
        let other_id = codefor_storage::accounts::by_email(&w.server.db.db, other)
            .await
            .expect("read")
            .and_then(|a| a.person_id)
            .expect("person")
            .to_string();
        let declined = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/antwort",
                &[("person", &other_id), ("accept", "0")],
            )
            .await;
        assert_eq!(declined.status, 303);
        assert!(
            w.inbox
                .last_to(other)
                .await
                .data
                .contains("nicht angenommen")
        );
        assert!(o.get("/koeln/").await.body.contains("Beitreten anfragen"));
        let again = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/antwort",
                &[("person", &other_id), ("accept", "1")],
            )
            .await;
        assert_eq!(again.status, 422, "an answered request is gone");
        assert_eq!(
            o.submit("/koeln/", "/beitreten/koeln/", &[]).await.status,
            303
        );
        assert_eq!(
            l.submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/antwort",
                &[("person", &other_id), ("accept", "1")]
            )
            .await
            .status,
            303
        );
        assert!(o.get("/koeln/").await.body.contains("Du bist Mitglied"));
        assert_eq!(
            o.submit("/koeln/", "/verlassen/koeln/", &[]).await.status,
            303
        );
        assert!(o.get("/koeln/").await.body.contains("Beitreten anfragen"));
        // Leads can stop taking requests (codefor.de's `showsignup: false`) and resume.
        let closed = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/anfragen",
                &[("active", "0")],
            )
            .await;
        assert_eq!(closed.status, 303);
        let page = o.get("/koeln/").await.body;
        assert!(page.contains("keine Beitrittsanfragen") && !page.contains("Beitreten anfragen"));
        let refused = o.submit("/koeln/", "/beitreten/koeln/", &[]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("keine Beitrittsanfragen"));
        let opened = l
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/anfragen",
                &[("active", "1")],
            )
            .await;
        assert_eq!(opened.status, 303);
        assert!(o.get("/koeln/").await.body.contains("Beitreten anfragen"));
        let log = codefor_storage::audit::recent(&w.server.db.db, 200)
            .await
            .expect("audit");
        for action in [
            "membership.accept",
            "membership.decline",
            "membership.leave",
            "role.lead.grant",
        ] {
            assert!(
                log.iter()
                    .any(|e| e.action == action && e.target == "koeln"),
                "{action}"
            );
        }
    });
}

#[test]
fn proposed_labs_are_approved_or_declined_by_admins() {
    block_on(async {
        let w = world().await;
        let proposer = "vorschlag@example.org";
        account(proposer, false, None).await;
        let admin_mail = "vorschlag-admin@example.org";
        account(admin_mail, true, None).await;
        let mut p = Browser::new(&w.server);
        assert_eq!(p.sign_in(proposer, PASSWORD).await.status, 303);
        let form = "/labs/vorschlagen/";
        let bad = p.submit(form, form, &[("city", "")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Bitte fülle „Stadt“ aus."));
        assert!(bad.body.contains("Bitte wähle das Bundesland."));
        for city in ["Neumünster", "Atlantisstadt"] {
            let sent = p
                .submit(
                    form,
                    form,
                    &[
                        ("city", city),
                        ("state_key", "01"),
                        ("meeting", "Montags"),
                        ("leads", "Mia Mitstreiterin"),
                    ],
                )
                .await;
            assert_eq!(sent.status, 200, "{}", sent.body);
            assert!(sent.body.contains("Dein Vorschlag ist beim Netzwerk"));
        }
        assert_eq!(p.get("/admin/vorschlaege/").await.status, 403);

        let mut a = Browser::new(&w.server);
        assert_eq!(a.sign_in(admin_mail, PASSWORD).await.status, 303);
        let queue = a.get("/admin/vorschlaege/").await;
        assert!(
            queue.body.contains("OK Lab Neumünster") && queue.body.contains("OK Lab Atlantisstadt")
        );
        let db = &w.server.db.db;
        let open = codefor_storage::proposals::open(db).await.expect("open");
        let id_of = |city: &str| {
            open.iter()
                .find(|p| p.city == city)
                .map(|p| p.id)
                .expect("proposal")
        };
        // Declining needs a reason, which the proposer reads.
        let path = format!("/admin/vorschlaege/{}", id_of("Atlantisstadt"));
        let no_reason = a
            .submit(
                "/admin/vorschlaege/",
                &path,
                &[("decision", "decline"), ("slug", "x")],
            )
            .await;
        assert_eq!(no_reason.status, 422);
        assert!(no_reason.body.contains("Begründung"));
        let declined = a
            .submit(
                "/admin/vorschlaege/",
                &path,
                &[
                    ("decision", "decline"),
                    ("reason", "Die Stadt gibt es nicht."),
                ],
            )
            .await;
        assert_eq!(declined.status, 303);
        assert!(
            w.inbox
                .last_to(proposer)
                .await
                .data
                .contains("Die Stadt gibt es nicht.")
        );
        // Approving founds the lab; the proposer and the named person lead it.
        let path = format!("/admin/vorschlaege/{}", id_of("Neumünster"));
        let approved = a
            .submit(
                "/admin/vorschlaege/",
                &path,
                &[("decision", "approve"), ("slug", "neumuenster")],
            )
            .await;
        assert_eq!(approved.status, 303, "{}", approved.body);
        assert!(
            w.inbox
                .last_to(proposer)
                .await
                .data
                .contains("/bearbeiten/neumuenster/")
        );
        let lab = crate::support::get(&w.server, "/neumuenster/").await;
        assert_eq!(lab.0, 200);
        assert!(lab.1.contains("Mia Mitstreiterin") && lab.1.contains("Montags"));
        assert_eq!(
            p.get("/bearbeiten/neumuenster/").await.status,
            200,
            "the proposer leads the lab"
        );
        let again = a
            .submit(
                "/admin/vorschlaege/",
                &path,
                &[("decision", "approve"), ("slug", "neumuenster")],
            )
            .await;
        assert_eq!(again.status, 422, "decided once");
        let log = codefor_storage::audit::recent(db, 300)
            .await
            .expect("audit");
        assert!(
            log.iter()
                .any(|e| e.action == "proposal.approve" && e.target == "neumuenster")
        );
        assert!(log.iter().any(|e| e.action == "proposal.decline"));
    });
}

#[test]
fn quiet_labs_are_flagged_and_can_be_marked_inactive_and_revived() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        // A lab with no post, project, edit or member change: no sign of life at all.
        crate::meetups::empty_lab(db, "stille", "16").await;
        let admin_mail = "lebenszeichen@example.org";
        account(admin_mail, true, None).await;
        let mut a = Browser::new(&w.server);
        assert_eq!(a.sign_in(admin_mail, PASSWORD).await.status, 303);
        let admin = a.get("/admin/").await.body;
        let flagged = flagged_labs(&admin);
        assert!(flagged.contains("OK Lab Stille"), "{flagged}");
        assert!(!flagged.contains("OK Lab Kiel"), "Kiel posted this year");
        let dashboard = a.get("/mitglieder/stille/").await.body;
        assert!(dashboard.contains("Noch kein Lebenszeichen") && dashboard.contains("Schläft es?"));
        // Its lead hears of it by mail, once per period.
        let still_lead = "leitung-stille@example.org";
        account(still_lead, false, Some("stille")).await;
        let (smtp_url, inbox) = smtp::start().await;
        let mailer =
            codefor_core::mail::Mailer::smtp(&smtp_url, "t@codefor.invalid").expect("mailer");
        // Two instances at once: one notice.
        let (one, two) = tokio::join!(
            codefor_core::labs::notify_quiet(db, &mailer, "https://codefor.test", 365),
            codefor_core::labs::notify_quiet(db, &mailer, "https://codefor.test", 365),
        );
        let (one, two) = (one.expect("notify"), two.expect("notify"));
        let stille = "stille".to_owned();
        assert_eq!(
            usize::from(one.contains(&stille)) + usize::from(two.contains(&stille)),
            1,
            "{one:?} {two:?}"
        );
        let told = [one, two].concat();
        assert!(!told.contains(&"kiel".to_owned()));
        let mail = inbox.last_to(still_lead).await;
        assert!(
            mail.data.contains("ist das Lab noch aktiv?"),
            "{}",
            mail.data
        );
        assert!(
            mail.data
                .replace("=\n", "")
                .contains("https://codefor.test/termine/neu/?lab=3Dstille")
                || mail
                    .data
                    .replace("=\n", "")
                    .contains("https://codefor.test/termine/neu/?lab=stille")
        );
        let again = codefor_core::labs::notify_quiet(db, &mailer, "https://codefor.test", 365)
            .await
            .expect("notify");
        assert!(
            !again.contains(&"stille".to_owned()),
            "not twice: {again:?}"
        );
        // Kiel's monthly meetup series is running: that is its sign of life, today.
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").expect("zone"))
            .date();
        let kiel = a.get("/mitglieder/kiel/").await.body;
        let german = format!("Letztes Lebenszeichen: {}. ", today.day());
        assert!(kiel.contains(&german), "{german}");

        let off = a
            .submit(
                "/mitglieder/stille/",
                "/mitglieder/stille/status",
                &[("active", "0")],
            )
            .await;
        assert_eq!(off.status, 303);
        assert!(
            crate::support::get(&w.server, "/stille/")
                .await
                .1
                .contains("status-inactive\">Inaktiv")
        );
        assert!(!flagged_labs(&a.get("/admin/").await.body).contains("OK Lab Stille"));
        let on = a
            .submit(
                "/mitglieder/stille/",
                "/mitglieder/stille/status",
                &[("active", "1")],
            )
            .await;
        assert_eq!(on.status, 303);
        assert!(
            crate::support::get(&w.server, "/stille/")
                .await
                .1
                .contains("status-active\">Aktiv")
        );
        // A meetup ten days ago is a sign of life: the lab is no longer flagged.
        let ten_days_ago = today.checked_sub(jiff::Span::new().days(10)).expect("date");
        let planned = crate::meetups::planned(&[
            ("title", "Stilles Treffen"),
            ("date", &ten_days_ago.to_string()),
            ("start", "19:00"),
            ("end", "20:00"),
            ("venue", "Rathaus"),
        ]);
        let stille = codefor_storage::labs::get(db, "stille")
            .await
            .expect("read")
            .expect("lab");
        let admin_account = codefor_storage::accounts::by_email(db, admin_mail)
            .await
            .expect("read")
            .expect("admin");
        codefor_core::meetups::create(db, &admin_account, &planned, &[stille.id], "codefor.test")
            .await
            .expect("meetup");
        assert!(!flagged_labs(&a.get("/admin/").await.body).contains("OK Lab Stille"));
        let log = codefor_storage::audit::recent(db, 300)
            .await
            .expect("audit");
        for action in ["lab.deactivate", "lab.revive"] {
            assert!(
                log.iter()
                    .any(|e| e.action == action && e.target == "stille"),
                "{action}"
            );
        }
    });
}

/// The admin page's section of labs without a sign of life.
fn flagged_labs(admin_page: &str) -> String {
    admin_page
        .split("id=\"ohne-lebenszeichen\"")
        .nth(1)
        .and_then(|rest| rest.split("id=\"konten\"").next())
        .unwrap_or("")
        .to_owned()
}
