//! Headless Chromium for browser tests: chromedriver on a loopback port, one WebDriver
//! session per test, the site served in-process, and the checks every page must pass
//! (what a person sees, keyboard use, axe-core WCAG 2.1 AA, nothing loaded from elsewhere).

// Test support: a failed step fails the test, with the reason.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The axe-core tags a page must pass without violations.
pub const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Where screenshots go, to be looked at by a person.
pub const SHOTS: &str = "/tmp/shots";

const CHROMIUM: &str = "/usr/bin/chromium";
const DESKTOP: (u32, u32) = (1280, 900);
/// WCAG 1.4.10 (reflow): content must work at 320 CSS pixels without scrolling sideways.
const NARROW: u32 = 320;
/// Full-page screenshots stop here.
const MAX_SHOT_HEIGHT: u32 = 8000;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The copy of codefor.de's Hugo site (present when `cfg(has_fixture)`).
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/codefor.de")
}

fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

/// The site on a loopback port, served by this process.
pub async fn serve(db: codefor_storage::Db) -> String {
    serve_with(db, codefor_web::Config::default()).await
}

/// The same with its own settings (a mailer to a test's SMTP listener).
pub async fn serve_with(db: codefor_storage::Db, config: codefor_web::Config) -> String {
    let app = codefor_web::app(codefor_web::AppState::new(db, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the site");
    let addr = listener.local_addr().expect("site address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A running chromedriver; shut down (with its browsers) when dropped.
pub struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    pub async fn start() -> Chromedriver {
        let path = chromedriver_path();
        let port = free_port();
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let mut driver = Chromedriver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = driver.child.try_wait().expect("chromedriver status") {
                panic!("chromedriver exited at start: {status}");
            }
            codefor_core::calendars::fetch::install_crypto_provider();
            if let Ok(res) = reqwest::get(format!("{}/status", driver.url())).await
                && let Ok(body) = res.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver on port {port} did not answer within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // `/shutdown` ends the sessions and their browsers too; a kill would leave them.
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            );
            let _ = s.read(&mut [0; 256]);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sink for every request that would leave loopback: Chromium sends them all to this
/// "proxy", which writes down the request line and refuses it, so nothing reaches the
/// network during a test. Chromium itself calls home here too (component updates,
/// account checks, search-engine preconnects, varying from run to run and not tied to
/// a page), so what lands here is reported but not held against the site: page loads
/// are judged by the Resource Timing, DOM and style sheet checks (and the site's CSP).
#[derive(Clone)]
pub struct Outbound {
    seen: Arc<Mutex<Vec<String>>>,
    addr: SocketAddr,
}

impl Outbound {
    pub async fn start() -> Outbound {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the recording proxy");
        let addr = listener.local_addr().expect("proxy address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut buf = vec![0; 4096];
                    let n = conn.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let line = head.lines().next().unwrap_or("").to_owned();
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                    let _ = conn
                        .write_all(
                            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        Outbound { seen, addr }
    }

    /// Everything recorded since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A headless Chromium session with a profile of its own.
pub struct Browser {
    pub client: Client,
    pub outbound: Outbound,
    axe: String,
    // Dropped after the client: the browser's profile.
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn open(driver: &Chromedriver) -> Browser {
        let axe_path = repo_root().join("node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `npm ci` at the repository root)",
                axe_path.display()
            )
        });
        let profile = tempfile::Builder::new()
            .prefix("codefor-chromium-")
            .tempdir()
            .expect("profile directory");
        let outbound = Outbound::start().await;
        let proxy = outbound.addr;
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--hide-scrollbars".to_owned(),
            // Less of Chromium's own traffic (see `Outbound`).
            "--disable-client-side-phishing-detection".to_owned(),
            "--disable-default-apps".to_owned(),
            "--disable-domain-reliability".to_owned(),
            "--disable-extensions".to_owned(),
            "--disable-component-extensions-with-background-pages".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--metrics-recording-only".to_owned(),
            "--password-store=basic".to_owned(),
            "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,\
             OptimizationHintsFetching,OptimizationTargetPrediction,Translate,MediaRouter,\
             AutofillServerCommunication,PasswordLeakDetection"
                .to_owned(),
            format!("--proxy-server=http://{proxy}"),
            format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": args,
                // No password manager: it asks Google whether a typed password leaked.
                "prefs": {
                    "signin": { "allowed": false, "allowed_on_next_startup": false },
                    "credentials_enable_service": false,
                    "profile": { "password_manager_enabled": false,
                                 "password_manager_leak_detection": false },
                },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .expect("start a Chromium session");
        Browser {
            client,
            outbound,
            axe,
            _profile: profile,
        }
    }

    pub async fn close(self) {
        self.client.close().await.expect("close the browser");
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{}", head(script)))
    }

    async fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{}", head(script)))
    }

    async fn press(&self, key: Key) {
        let key = char::from(key);
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(actions)
            .await
            .expect("press a key");
        self.client.release_actions().await.expect("release keys");
    }

    /// Opens `base` + `page.path` and runs every check on it; returns what went wrong,
    /// per page, so one run reports all pages at once.
    pub async fn check(&self, base: &str, page: &Page<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        let url = format!("{base}{}", page.path);
        self.outbound.take();
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));

        let here = self.client.current_url().await.expect("current URL");
        if here.as_str() != url {
            problems.push(format!("landed on {here}, expected {url}"));
        }

        self.keyboard(&mut problems).await;
        self.sees(page, &mut problems).await;
        self.looks(page, &mut problems).await;
        self.self_contained(base, &mut problems).await;
        self.axe(&mut problems).await;

        let outbound = self.outbound.take();
        if !outbound.is_empty() {
            eprintln!(
                "{}: refused outbound requests (Chromium's own, see `Outbound`): {}",
                page.path,
                outbound.join("; ")
            );
        }
        problems
            .into_iter()
            .map(|p| format!("{}: {p}", page.path))
            .collect()
    }

    /// Tab first reaches the skip link, which then shows; Enter moves focus to the content.
    async fn keyboard(&self, problems: &mut Vec<String>) {
        self.press(Key::Tab).await;
        let focused = self
            .js(
                "const el = document.activeElement; const r = el.getBoundingClientRect();
                 const s = getComputedStyle(el);
                 return { tag: el.tagName, text: el.textContent.trim(),
                          href: el.getAttribute('href'), cls: el.className,
                          inView: r.width > 1 && r.height > 1 && r.left >= 0 && r.top >= 0
                                  && r.right <= innerWidth && r.bottom <= innerHeight,
                          shown: s.visibility !== 'hidden' && s.display !== 'none'
                                 && parseFloat(s.opacity) > 0 && s.clip === 'auto'
                                 && s.clipPath === 'none',
                          rect: [r.left, r.top, r.width, r.height] };",
                vec![],
            )
            .await;
        if focused["text"] != "Zum Inhalt springen" || focused["href"] != "#inhalt" {
            problems.push(format!(
                "Tab first focused {focused}, not the skip link „Zum Inhalt springen“ (#inhalt)"
            ));
            return;
        }
        if focused["inView"] != json!(true) || focused["shown"] != json!(true) {
            problems.push(format!("the focused skip link is not visible: {focused}"));
        }
        self.press(Key::Enter).await;
        let after = self
            .js(
                "return { hash: location.hash, focus: document.activeElement.id };",
                vec![],
            )
            .await;
        if after["focus"] != "inhalt" {
            problems.push(format!(
                "Enter on the skip link did not move focus to #inhalt: {after}"
            ));
        }
        self.js(
            "document.activeElement.blur(); window.scrollTo(0, 0);",
            vec![],
        )
        .await;
    }

    /// Language, title, heading and key content as a person perceives them.
    async fn sees(&self, page: &Page<'_>, problems: &mut Vec<String>) {
        let seen = self
            .js(
                "const visible = el => { const r = el.getBoundingClientRect();
                   const s = getComputedStyle(el);
                   return r.width > 1 && r.height > 1 && s.visibility !== 'hidden'; };
                 // SVG elements have no innerText: fall back to textContent.
                 const squash = t => (t ?? '').replace(/\\s+/g, ' ').trim();
                 const found = arguments[0].map(([sel, text]) => {
                   const els = [...document.querySelectorAll(sel)];
                   return { sel, text, ok: els.some(el => visible(el)
                            && squash(el.innerText ?? el.textContent).includes(text)),
                            got: els.map(el => squash(el.innerText ?? el.textContent)).slice(0, 5) }; });
                 return { lang: document.documentElement.getAttribute('lang'),
                          title: document.title,
                          // Heading text without the section link (`a.anchor`, „#“) the
                          // Markdown renderer appends.
                          h1: [...document.querySelectorAll('h1')].map(h => {
                                const c = h.cloneNode(true);
                                c.querySelectorAll('a.anchor').forEach(a => a.remove());
                                return { text: squash(c.textContent), visible: visible(h) }; }),
                          body: squash(document.body.innerText),
                          found };",
                vec![json!(
                    page.shows
                        .iter()
                        .map(|(sel, text)| json!([sel, text]))
                        .collect::<Vec<_>>()
                )],
            )
            .await;
        if seen["lang"] != "de" {
            problems.push(format!("<html lang> is {}, not \"de\"", seen["lang"]));
        }
        if seen["title"] != page.title {
            problems.push(format!(
                "<title> is {}, expected {:?}",
                seen["title"], page.title
            ));
        }
        let h1s = seen["h1"].as_array().cloned().unwrap_or_default();
        match h1s.as_slice() {
            [h1] => {
                if h1["text"] != page.h1 {
                    problems.push(format!(
                        "the h1 reads {}, expected {:?}",
                        h1["text"], page.h1
                    ));
                }
                if page.h1_visible && h1["visible"] != json!(true) {
                    problems.push(format!("the h1 {} is not visible", h1["text"]));
                }
            }
            _ => problems.push(format!(
                "expected one h1 reading {:?}, found {}",
                page.h1, seen["h1"]
            )),
        }
        let body = seen["body"].as_str().unwrap_or_default();
        for text in page.texts {
            if !body.contains(text) {
                problems.push(format!("the page does not show {text:?}"));
            }
        }
        for f in seen["found"].as_array().into_iter().flatten() {
            if f["ok"] != json!(true) {
                problems.push(format!(
                    "no visible {} showing {} (found: {})",
                    f["sel"], f["text"], f["got"]
                ));
            }
        }
    }

    /// Screenshots at desktop width and at 320 px (full page), broken images, and
    /// sideways scrolling at 320 px.
    async fn looks(&self, page: &Page<'_>, problems: &mut Vec<String>) {
        std::fs::create_dir_all(SHOTS).expect("screenshot directory");
        // Lazy images would load only when scrolled to; load them all, so that every
        // image is on the screenshots and its request is checked.
        self.js(
            "for (const img of document.images) img.loading = 'eager';",
            vec![],
        )
        .await;
        for (suffix, width) in [("", DESKTOP.0), ("-narrow", NARROW)] {
            self.client
                .set_window_size(width, DESKTOP.1)
                .await
                .expect("resize");
            // The window is taller than the page's viewport by the browser's own frame.
            let height = self
                .js(
                    "return document.documentElement.scrollHeight
                            + window.outerHeight - window.innerHeight;",
                    vec![],
                )
                .await
                .as_u64()
                .unwrap_or(u64::from(DESKTOP.1));
            let height = u32::try_from(height)
                .unwrap_or(MAX_SHOT_HEIGHT)
                .clamp(DESKTOP.1, MAX_SHOT_HEIGHT);
            self.client
                .set_window_size(width, height)
                .await
                .expect("resize");
            let images = self.images_loaded().await;
            if let Some(broken) = images["broken"].as_array()
                && !broken.is_empty()
                && suffix.is_empty()
            {
                problems.push(format!("images that do not load: {}", images["broken"]));
            }
            let png = self.client.screenshot().await.expect("screenshot");
            let file = format!("{SHOTS}/{}{suffix}.png", page.shot);
            std::fs::write(&file, png).unwrap_or_else(|e| panic!("{file}: {e}"));
            if width == NARROW {
                let wide = self
                    .js(
                        "const w = document.documentElement.clientWidth;
                         if (document.documentElement.scrollWidth <= w) return null;
                         const out = [];
                         for (const el of document.querySelectorAll('body *')) {
                           const r = el.getBoundingClientRect();
                           if (r.right > w + 1 && r.width > 0
                               && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1))
                             out.push(Math.round(r.right) + 'px: ' + el.outerHTML.slice(0, 160));
                         }
                         return { scrollWidth: document.documentElement.scrollWidth, width: w,
                                  culprits: out.slice(0, 8) };",
                        vec![],
                    )
                    .await;
                if !wide.is_null() {
                    problems.push(format!(
                        "at {NARROW} px the page scrolls sideways (WCAG 1.4.10): {wide}"
                    ));
                }
            }
        }
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .expect("resize");
        self.js("window.scrollTo(0, 0);", vec![]).await;
    }

    /// Waits (up to 10 s) until every image finished loading or failed; returns the
    /// addresses of those that failed.
    async fn images_loaded(&self) -> Value {
        self.js_async(
            "const done = arguments[arguments.length - 1];
             const until = Date.now() + 10000;
             const poll = () => {
               const imgs = [...document.images];
               if (imgs.every(i => i.complete) || Date.now() > until)
                 done({ broken: imgs.filter(i => !i.complete || i.naturalWidth === 0)
                                    .map(i => i.currentSrc || i.src) });
               else setTimeout(poll, 50);
             };
             poll();",
            vec![],
        )
        .await
    }

    /// Every request the page made (navigation and resources, per Resource Timing) went
    /// to the site's own origin, and nothing in the DOM or the style sheets points a
    /// loading element elsewhere.
    async fn self_contained(&self, base: &str, problems: &mut Vec<String>) {
        let found = self
            .js(
                "const origin = arguments[0];
                 const foreign = u => { try { const x = new URL(u, document.baseURI);
                     return x.protocol !== 'data:' && x.origin !== origin; }
                   catch (e) { return true; } };
                 const entries = [...performance.getEntriesByType('navigation'),
                                  ...performance.getEntriesByType('resource')];
                 const requests = entries.map(e => e.name);
                 const dom = [];
                 const attrs = [['img', 'src'], ['img', 'srcset'], ['source', 'src'],
                   ['source', 'srcset'], ['script', 'src'], ['link', 'href'], ['iframe', 'src'],
                   ['video', 'src'], ['video', 'poster'], ['audio', 'src'], ['track', 'src'],
                   ['embed', 'src'], ['object', 'data'], ['input', 'src'], ['image', 'href']];
                 for (const [tag, attr] of attrs)
                   for (const el of document.querySelectorAll(tag + '[' + attr + ']')) {
                     const v = el.getAttribute(attr);
                     const urls = attr === 'srcset'
                       ? v.split(',').map(s => s.trim().split(/\\s+/)[0]).filter(Boolean) : [v];
                     for (const u of urls) if (foreign(u)) dom.push(el.outerHTML.slice(0, 200));
                   }
                 const css = [];
                 for (const sheet of document.styleSheets) {
                   let rules; try { rules = sheet.cssRules; } catch (e) { css.push('unreadable ' + sheet.href); continue; }
                   for (const r of rules)
                     for (const m of r.cssText.matchAll(/url\\(\\s*[\"']?([^\"')]+)/g))
                       if (foreign(new URL(m[1], sheet.href || document.baseURI).href)) css.push(r.cssText.slice(0, 200));
                 }
                 return { location: location.origin, requests, foreign: requests.filter(foreign), dom, css };",
                vec![json!(base)],
            )
            .await;
        if found["location"] != base {
            problems.push(format!("page origin is {}, not {base}", found["location"]));
        }
        if found["requests"].as_array().is_none_or(Vec::is_empty) {
            problems.push("Resource Timing lists no requests at all".to_owned());
        }
        for (what, key) in [
            ("requests to another origin", "foreign"),
            ("elements loading from another origin", "dom"),
            ("style sheet rules loading from another origin", "css"),
        ] {
            if found[key].as_array().is_some_and(|a| !a.is_empty()) {
                problems.push(format!("{what}: {}", found[key]));
            }
        }
    }

    /// Shows that the checks are live: on the home page with an image without alt and an
    /// image from another origin added, returns the ids of axe-core's violations and the
    /// problems the origin check finds.
    pub async fn checks_catch_planted_defects(&self, base: &str) -> (Vec<String>, Vec<String>) {
        self.client.goto(&format!("{base}/")).await.expect("open /");
        self.js(
            "const main = document.querySelector('main');
             const a = document.createElement('img'); a.src = '/assets/logo.svg';
             const b = document.createElement('img'); b.src = 'https://example.org/x.png';
             b.alt = 'x'; main.append(a, b);",
            vec![],
        )
        .await;
        let ids = self
            .run_axe()
            .await
            .get("violations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect();
        let mut problems = Vec::new();
        self.self_contained(base, &mut problems).await;
        (ids, problems)
    }

    async fn run_axe(&self) -> Value {
        self.js(&self.axe, vec![]).await;
        self.js_async(
            "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: arguments[0] },
                                     resultTypes: ['violations'] })
                   .then(r => done({ violations: r.violations.map(v => ({
                       id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                       nodes: v.nodes.map(n => ({ target: n.target, html: n.html,
                                                  summary: n.failureSummary })) })),
                     passes: r.passes.length }))
                   .catch(e => done({ error: String(e) }));",
            vec![json!(WCAG_TAGS)],
        )
        .await
    }

    /// axe-core with the WCAG 2.0/2.1 A and AA rules: no violations.
    async fn axe(&self, problems: &mut Vec<String>) {
        let result = self.run_axe().await;
        if !result["error"].is_null() {
            problems.push(format!("axe-core failed: {}", result["error"]));
            return;
        }
        if result["passes"].as_u64().unwrap_or(0) == 0 {
            problems.push(format!("axe-core checked nothing: {result}"));
        }
        for v in result["violations"].as_array().into_iter().flatten() {
            problems.push(describe_violation(v));
        }
    }
}

/// The start of a script, for messages (axe-core itself is half a megabyte).
fn head(script: &str) -> String {
    script.chars().take(300).collect()
}

fn describe_violation(v: &Value) -> String {
    let mut out = format!(
        "axe {} ({}): {} <{}>",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or(""),
        v["helpUrl"].as_str().unwrap_or(""),
    );
    for n in v["nodes"].as_array().into_iter().flatten() {
        let _ = write!(
            out,
            "\n      at {} — {}\n        {}",
            n["target"],
            n["html"].as_str().unwrap_or(""),
            n["summary"]
                .as_str()
                .unwrap_or("")
                .replace('\n', "\n        ")
        );
    }
    out
}

/// A page and what a person must find on it.
pub struct Page<'a> {
    pub path: &'a str,
    /// Screenshot name: `SHOTS/<shot>.png` and `SHOTS/<shot>-narrow.png`.
    pub shot: &'a str,
    /// The whole `<title>`.
    pub title: &'a str,
    /// The text of the page's one h1.
    pub h1: &'a str,
    /// Whether the h1 must be visible (home pages may give it to screen readers only).
    pub h1_visible: bool,
    /// Texts somewhere in the rendered page.
    pub texts: &'a [&'a str],
    /// (CSS selector, text): a visible element matching the selector shows the text.
    pub shows: &'a [(&'a str, &'a str)],
}

/// Fails with every problem of every page.
pub fn assert_no_problems(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  - {}",
        problems.len(),
        problems.join("\n  - ")
    );
}
