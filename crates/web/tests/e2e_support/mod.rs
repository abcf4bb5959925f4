//! Support for the end-to-end tests: the real `gelijkgericht` binary as a child process, a
//! headless Chromium driven through chromedriver, plain HTTP with reqwest, and the embedded
//! PostgreSQL cluster's `pg_ctl`.
//!
//! Every child process is owned by a guard that ends it on drop, also when a test panics.

// Not every test uses every helper.
#![allow(dead_code)]

mod checks;
pub mod webdriver;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection as _;
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};
use webdriver::{Element, Session};

pub use demo::DEMO_PASSWORD;

/// The binary under test, built by cargo for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_gelijkgericht");

/// How long the app may take to answer `/ready` after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

// --------------------------------------------------------------------------------------------
// Small things
// --------------------------------------------------------------------------------------------

/// A port that was free a moment ago (bound to port 0 and released).
pub fn free_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener.local_addr().expect("local address").port()
}

/// A fresh directory under the system temp dir (mode 0755, so the `postgres` user can pass
/// through it), removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "gg-e2e-{tag}-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod 0755 {}: {e}", dir.display()));
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The last `max` characters of a text, for assertion messages.
pub fn tail(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        text.to_string()
    } else {
        format!("…{}", chars[chars.len() - max..].iter().collect::<String>())
    }
}

/// The first `max` characters of a text, for assertion messages.
pub fn head(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Sends a signal to a process with `kill(1)` (no libc in this crate).
pub fn signal(pid: &str, name: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg("--")
        .arg(pid)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits for a child to exit, polling; `None` when it is still running at the deadline.
pub fn wait_exit(child: &mut Child, within: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `check` (every 100 ms) until it returns `Some`, or `None` at the deadline.
pub async fn poll<T, F, Fut>(within: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// --------------------------------------------------------------------------------------------
// Database
// --------------------------------------------------------------------------------------------

/// Creates an empty database `gg_e2e_<random>` on the server of `DATABASE_URL` and returns
/// its URL (the same URL with the database name replaced).
/// The URL of a `sqlx::test` database for the binary: `DATABASE_URL` with the database name
/// replaced by the test's own.
pub async fn url_of(pool: &store::PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .expect("the test database's name");
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let mut url = reqwest::Url::parse(&admin).expect("DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub async fn fresh_database() -> String {
    let admin = std::env::var("DATABASE_URL").ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "DATABASE_URL is not set. The end-to-end tests need a PostgreSQL server whose role may \
             create databases: run scripts/test.sh, or start a throwaway cluster with \
             `export DATABASE_URL=$(scripts/pg-test-cluster.sh start /tmp/gg-e2e-pg | tail -1)`"
        )
    });
    let name = format!("gg_e2e_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("connecting to DATABASE_URL to create a test database: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = conn.close().await;
    let mut url =
        reqwest::Url::parse(&admin).unwrap_or_else(|e| panic!("DATABASE_URL is not a URL: {e}"));
    url.set_path(&format!("/{name}"));
    url.to_string()
}

// --------------------------------------------------------------------------------------------
// The application
// --------------------------------------------------------------------------------------------

/// A `gelijkgericht` command with a clean environment: none of the caller's `GG_*` settings or
/// `DATABASE_URL`, quiet logging, and `/` as working directory.
/// Runs the binary with `args` against the database at `url`: its exit code and its output
/// (stdout, then stderr).
pub async fn run_cli(url: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = gelijkgericht();
    cmd.env("DATABASE_URL", url).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("running"))
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

pub fn gelijkgericht() -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        let key_str = key.to_string_lossy();
        if key_str.starts_with("GG_") || key_str == "DATABASE_URL" {
            cmd.env_remove(&key);
        }
    }
    cmd.env("GG_LOG", "warn")
        .current_dir("/")
        .stdin(Stdio::null());
    cmd
}

/// A running `gelijkgericht serve --demo`, ended (SIGTERM, then SIGKILL) on drop.
pub struct App {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:<port>`, also the app's `GG_BASE_URL`.
    pub base: String,
    log: PathBuf,
    _dir: TempDir,
}

impl App {
    /// Serves the demo hospital from the database at `database_url`.
    pub async fn start(database_url: &str) -> App {
        Self::spawn(true, || {
            let mut cmd = gelijkgericht();
            cmd.env("DATABASE_URL", database_url)
                .env("GG_SECRET_KEY", Self::TEST_SECRET_KEY);
            cmd
        })
        .await
    }

    /// Serves the database at `database_url` as it is (no demo), with `env` added to the
    /// environment (e.g. `GG_SMTP_URL`).
    pub async fn serve(database_url: &str, env: &[(&str, &str)]) -> App {
        Self::spawn(false, || {
            let mut cmd = gelijkgericht();
            cmd.env("DATABASE_URL", database_url)
                .env("GG_SECRET_KEY", Self::TEST_SECRET_KEY)
                .envs(env.iter().copied());
            cmd
        })
        .await
    }

    /// The key that seals second-factor secrets for apps on a `DATABASE_URL` (tests only).
    pub const TEST_SECRET_KEY: &str =
        "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdeffedcba9876543210";

    /// Serves the demo hospital from the embedded PostgreSQL cluster in `data_dir`.
    pub async fn start_embedded(data_dir: &Path) -> App {
        Self::spawn(true, || {
            let mut cmd = gelijkgericht();
            cmd.env("GG_DATA_DIR", data_dir);
            cmd
        })
        .await
    }

    /// Starts the app on a free port. The port is free when picked but another process (a
    /// parallel test) can take it before the app binds it; then the app is started again on
    /// another port.
    async fn spawn(demo: bool, command: impl Fn() -> Command) -> App {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match Self::spawn_once(command(), demo).await {
                Ok(app) => return app,
                Err(output) if attempts < 5 && output.contains("Address already in use") => {}
                Err(output) => panic!("{output}"),
            }
        }
    }

    async fn spawn_once(mut cmd: Command, demo: bool) -> Result<App, String> {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let dir = TempDir::new("app");
        let log = dir.path().join("app.log");
        let out = File::create(&log).expect("create app log");
        let err = out.try_clone().expect("clone app log handle");
        cmd.arg("serve")
            .args(demo.then_some("--demo"))
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("GG_BASE_URL", &base)
            .stdout(out)
            .stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {BIN}: {e}"));
        let mut app = App {
            child,
            port,
            base,
            log,
            _dir: dir,
        };
        app.wait_ready().await?;
        Ok(app)
    }

    /// Waits until `GET /ready` answers 200; otherwise says why, with the app's output.
    async fn wait_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("http client");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "gelijkgericht serve exited ({status}) before it was ready; its output:\n{}",
                    self.output()
                ));
            }
            if let Ok(r) = http.get(self.url("/ready")).send().await
                && r.status() == StatusCode::OK
            {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(format!(
                    "gelijkgericht serve did not answer 200 on /ready within {READY_TIMEOUT:?}; its output:\n{}",
                    self.output()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the app wrote to stdout and stderr so far (the last 8000 characters).
    pub fn output(&self) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default(), 8000)
    }

    /// Ends the app at once with SIGKILL, as `kill -9` does: no shutdown of any kind.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the exit; `None` if the app still runs after `within`.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        signal(&self.child.id().to_string(), "TERM");
        wait_exit(&mut self.child, within)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if self.terminate(Duration::from_secs(10)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// --------------------------------------------------------------------------------------------
// Plain HTTP
// --------------------------------------------------------------------------------------------

/// An answer, read completely.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

/// A cookie-keeping HTTP client that does not follow redirects.
pub struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    pub fn new(base: &str) -> Http {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("http client");
        Http {
            client,
            base: base.to_string(),
        }
    }

    async fn read(what: &str, response: reqwest::Result<reqwest::Response>) -> Answer {
        let response = response.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{what}: reading the body: {e}"));
        Answer {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let url = format!("{}{path}", self.base);
        Self::read(&format!("GET {url}"), self.client.get(&url).send().await).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let url = format!("{}{path}", self.base);
        Self::read(
            &format!("POST {url}"),
            self.client.post(&url).form(form).send().await,
        )
        .await
    }

    /// Posts a form with the CSRF token the way a page would, and insists on the redirect that
    /// a successful form gets.
    pub async fn post_ok(&self, path: &str, csrf: &str, fields: &[(&str, String)]) {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf)];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let answer = self.post_form(path, &form).await;
        assert_eq!(
            answer.status,
            reqwest::StatusCode::SEE_OTHER,
            "POST {path}: {}",
            head(&answer.body, 1500)
        );
    }

    /// Repeats `GET path` (every 100 ms) until `accept` likes the answer: `Ok` with that
    /// answer, or `Err` with the last one at the deadline.
    pub async fn poll_get(
        &self,
        path: &str,
        within: Duration,
        accept: impl Fn(&Answer) -> bool,
    ) -> Result<Answer, Answer> {
        let deadline = Instant::now() + within;
        loop {
            let answer = self.get(path).await;
            if accept(&answer) {
                return Ok(answer);
            }
            if Instant::now() >= deadline {
                return Err(answer);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Logs in through the login form: takes the `_csrf` field (and cookie) from `GET /inloggen`
    /// and posts the form; panics unless the answer is the redirect to the dashboard.
    pub async fn login(&self, email: &str, password: &str) {
        let page = self.get("/inloggen").await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "GET /inloggen: {}",
            head(&page.body, 1500)
        );
        let csrf = hidden_field(&page.body, "_csrf").unwrap_or_else(|| {
            panic!(
                "no _csrf field on the login page: {}",
                head(&page.body, 1500)
            )
        });
        let answer = self
            .post_form(
                "/inloggen",
                &[
                    ("_csrf", &csrf),
                    ("email", email),
                    ("password", password),
                    ("volgende", "/"),
                ],
            )
            .await;
        assert!(
            answer.status.is_redirection() && answer.location.as_deref() == Some("/"),
            "logging in as {email} over HTTP: expected a redirect to /, got {} (Location {:?}): {}",
            answer.status,
            answer.location,
            head(&answer.body, 1500)
        );
    }
}

/// The value of `<input type="hidden" name="NAME" value="...">` in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_string())
}

// --------------------------------------------------------------------------------------------
// The browser
// --------------------------------------------------------------------------------------------

fn chromedriver_path() -> String {
    std::env::var("GG_CHROMEDRIVER")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/usr/bin/chromedriver".into())
}

fn chromium_path() -> String {
    std::env::var("GG_CHROMIUM")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// A headless Chromium in a fresh profile, through its own chromedriver (in its own process
/// group, so that the whole tree is ended on drop).
pub struct Browser {
    session: Option<Session>,
    driver: Child,
    profile: TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let driver_bin = chromedriver_path();
        let chromium = chromium_path();
        let profile = TempDir::new("chromium");
        let log = profile.path().join("chromedriver.log");
        let out = File::create(&log).expect("create chromedriver log");
        let err = out.try_clone().expect("clone chromedriver log handle");
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("starting {driver_bin} (set GG_CHROMEDRIVER to its path): {e}")
            });
        let mut browser = Browser {
            session: None,
            driver,
            profile,
        };
        let driver_log = || tail(&fs::read_to_string(&log).unwrap_or_default(), 4000);

        // Wait for chromedriver to listen.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("http client");
        let status_url = format!("http://127.0.0.1:{port}/status");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = browser.driver.try_wait() {
                panic!(
                    "chromedriver exited ({status}) right after starting:\n{}",
                    driver_log()
                );
            }
            if let Ok(r) = http.get(&status_url).send().await
                && r.status().is_success()
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                panic!(
                    "chromedriver did not answer on port {port} within 20 s:\n{}",
                    driver_log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let user_data_dir = browser.profile.path().join("profile");
        let capabilities = json!({
            "alwaysMatch": {
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--window-size=1280,900",
                        format!("--user-data-dir={}", user_data_dir.display()),
                    ],
                },
            },
        });
        match Session::create(port, capabilities).await {
            Ok(session) => browser.session = Some(session),
            Err(e) => panic!(
                "could not start Chromium ({chromium}; set GG_CHROMIUM to its path): {e}\n{}",
                driver_log()
            ),
        }
        browser
    }

    fn s(&self) -> &Session {
        self.session.as_ref().expect("a browser session")
    }

    /// Where the browser is and what it shows, for assertion messages.
    pub async fn describe(&self) -> String {
        let url = self
            .s()
            .current_url()
            .await
            .unwrap_or_else(|e| format!("<{e}>"));
        let text = self
            .s()
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|e| format!("<{e}>"));
        format!(
            "\n--- browser at {url} ---\n{}\n---",
            head(text.trim(), 2500)
        )
    }

    /// Panics with `message` and what the browser shows.
    async fn fail<T>(&self, message: String) -> T {
        panic!("{message}{}", self.describe().await)
    }

    async fn ok<T>(&self, what: &str, result: Result<T, String>) -> T {
        match result {
            Ok(v) => v,
            Err(e) => self.fail(format!("{what}: {e}")).await,
        }
    }

    /// Opens a URL and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        let r = self.s().navigate(url).await;
        self.ok(&format!("opening {url}"), r).await;
    }

    pub async fn current_url(&self) -> String {
        let r = self.s().current_url().await;
        self.ok("reading the current URL", r).await
    }

    /// The path and query of the current page, e.g. `/inloggen?reden=uitgelogd`.
    pub async fn path(&self) -> String {
        let url = self.current_url().await;
        match reqwest::Url::parse(&url) {
            Ok(u) => match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            },
            Err(_) => url,
        }
    }

    pub async fn source(&self) -> String {
        let r = self.s().source().await;
        self.ok("reading the page source", r).await
    }

    /// The one element matching `css`; fails (with the page) if there is none.
    pub async fn find(&self, css: &str) -> Element {
        let r = self.s().find_all(css).await;
        let found = self.ok(&format!("finding {css}"), r).await;
        match found.into_iter().next() {
            Some(e) => e,
            None => self.fail(format!("no element matches {css}")).await,
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let r = self.s().find_all(css).await;
        self.ok(&format!("finding {css}"), r).await
    }

    pub async fn find_within(&self, parent: &Element, css: &str) -> Vec<Element> {
        let r = self.s().find_within(parent, css).await;
        self.ok(&format!("finding {css} within an element"), r)
            .await
    }

    /// Clears a field and types into it, like a person would.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        let r = self.s().clear(&field).await;
        self.ok(&format!("clearing {css}"), r).await;
        let r = self.s().send_keys(&field, text).await;
        self.ok(&format!("typing into {css}"), r).await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.click_element(&element, css).await;
    }

    pub async fn click_element(&self, element: &Element, what: &str) {
        let r = self.s().click(element).await;
        self.ok(&format!("clicking {what}"), r).await;
    }

    /// Clicks (a submit button, a link) and waits until a new page has loaded.
    pub async fn click_and_wait(&self, css: &str) {
        let element = self.find(css).await;
        let r = self
            .s()
            .execute("window.__ggOldPage = true; return true;", vec![])
            .await;
        self.ok("marking the current page", r).await;
        self.click_element(&element, css).await;
        let loaded = poll(Duration::from_secs(20), || async {
            // While the new page loads, scripts may fail: that is "not yet".
            match self
                .s()
                .execute(
                    "return window.__ggOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await
            {
                Ok(Value::Bool(true)) => Some(()),
                _ => None,
            }
        })
        .await;
        if loaded.is_none() {
            self.fail::<()>(format!(
                "clicking {css} did not load a new page within 20 s"
            ))
            .await;
        }
    }

    /// Runs a script in the page.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        let r = self.s().execute(script, args).await;
        self.ok(&format!("running script {}", head(script, 80)), r)
            .await
    }

    /// The texts of all elements matching `css`, whitespace collapsed.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let v = self
            .script(
                "return Array.from(document.querySelectorAll(arguments[0]))\
                   .map(e => e.textContent.replace(/\\s+/g, ' ').trim());",
                vec![json!(css)],
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|t| t.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of the one element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        match self.texts(css).await.into_iter().next() {
            Some(t) => t,
            None => self.fail(format!("no element matches {css}")).await,
        }
    }

    /// The text of an element found earlier.
    pub async fn element_text(&self, element: &Element) -> String {
        let r = self.s().text(element).await;
        self.ok("reading an element's text", r).await
    }

    /// The current value of a form field (or any property of an element found earlier).
    pub async fn property(&self, element: &Element, name: &str) -> Value {
        let r = self.s().property(element, name).await;
        self.ok(&format!("reading property {name}"), r).await
    }

    /// The current value of the form field matching `css`.
    pub async fn value(&self, css: &str) -> String {
        let field = self.find(css).await;
        self.property(&field, "value")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The visible text of the page.
    pub async fn body_text(&self) -> String {
        self.script(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Fails (with the page) unless the visible text contains `needle`.
    pub async fn assert_text(&self, needle: &str) {
        if !self.body_text().await.contains(needle) {
            self.fail::<()>(format!("the page does not show {needle:?}"))
                .await;
        }
    }

    /// Fails (with the page) unless the browser is at `expected` (path and query).
    pub async fn assert_path(&self, expected: &str) {
        let path = self.path().await;
        if path != expected {
            self.fail::<()>(format!(
                "expected the browser at {expected}, it is at {path}"
            ))
            .await;
        }
    }

    pub async fn delete_cookies(&self) {
        let r = self.s().delete_cookies().await;
        self.ok("deleting cookies", r).await;
    }

    /// Fills in the login form on the current page and submits it.
    pub async fn submit_login(&self, email: &str, password: &str) {
        self.type_into("#veld-email", email).await;
        self.type_into("#veld-password", password).await;
        self.click_and_wait("form[action='/inloggen'] button[type=submit]")
            .await;
    }

    /// Opens the login page and logs in as a demo person.
    pub async fn login(&self, app: &App, email: &str) {
        self.login_with(app, email, DEMO_PASSWORD).await;
    }

    /// Opens the login page and logs in; fails unless the login page is left.
    pub async fn login_with(&self, app: &App, email: &str, password: &str) {
        self.goto(&app.url("/inloggen")).await;
        self.submit_login(email, password).await;
        if self.path().await.starts_with("/inloggen") {
            self.fail::<()>(format!("logging in as {email} failed"))
                .await;
        }
    }

    /// Prints the current page to PDF on A4, as a person choosing "print" would.
    pub async fn print_pdf(&self) -> Vec<u8> {
        use base64::Engine;
        let body =
            serde_json::json!({ "page": { "width": 21.0, "height": 29.7 }, "background": false });
        let r = self
            .s()
            .cmd(reqwest::Method::POST, "/print", Some(body))
            .await;
        let encoded = self.ok("printing to PDF", r).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("base64 PDF from chromedriver")
    }

    /// Logs out with the header's "Uitloggen" button.
    pub async fn logout(&self) {
        self.click_and_wait("header form[action='/uitloggen'] button[type=submit]")
            .await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            session.delete_blocking();
        }
        // chromedriver leads its own process group: end it and every browser process with it.
        signal(&format!("-{}", self.driver.id()), "KILL");
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

// --------------------------------------------------------------------------------------------
// The embedded PostgreSQL cluster, from outside
// --------------------------------------------------------------------------------------------

/// Whether this process runs as root (effective uid 0, from /proc).
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Uid:"))?.to_string();
            line.split_whitespace().nth(2).map(|uid| uid == "0")
        })
        .unwrap_or(false)
}

fn has_server_binaries(dir: &Path) -> bool {
    ["pg_ctl", "initdb", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

/// The directory with `pg_ctl`, chosen like the application does: PATH first, then the highest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn pg_bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.is_absolute() && has_server_binaries(d));
    if let Some(dir) = on_path {
        return dir;
    }
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let version: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version?, bin))
        })
        .collect();
    versioned.sort_by(|a, b| b.0.cmp(&a.0));
    versioned
        .into_iter()
        .next()
        .map(|(_, dir)| dir)
        .expect("no PostgreSQL server binaries (pg_ctl) on PATH or under /usr/lib/postgresql/*/bin")
}

/// Runs `pg_ctl` with `args` as the cluster's owner (`postgres` when we are root).
pub fn pg_ctl(args: &[&std::ffi::OsStr]) -> Output {
    let pg_ctl = pg_bin_dir().join("pg_ctl");
    let mut cmd = if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        cmd
    } else {
        Command::new(&pg_ctl)
    };
    cmd.args(args)
        .current_dir("/")
        .env_remove("PGDATA")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", pg_ctl.display()))
}

/// Both output streams of a command, for assertion messages.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout).trim(),
        String::from_utf8_lossy(&output.stderr).trim()
    )
}

/// A data directory for the embedded cluster (`GG_DATA_DIR`). On drop, a cluster still running
/// there is stopped (`pg_ctl stop -m immediate`) and the directory removed.
pub struct DataDir {
    _tmp: TempDir,
    path: PathBuf,
}

impl DataDir {
    pub fn new() -> DataDir {
        let tmp = TempDir::new("data");
        let path = tmp.path().join("data");
        DataDir { _tmp: tmp, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pg(&self) -> PathBuf {
        self.path.join("pg")
    }

    pub fn postmaster_pid(&self) -> PathBuf {
        self.pg().join("postmaster.pid")
    }
}

impl Default for DataDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.postmaster_pid().exists() {
            let pg = self.pg();
            let _ = pg_ctl(&[
                "stop".as_ref(),
                "-D".as_ref(),
                pg.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
            ]);
        }
    }
}
