//! A test client for the router: a cookie jar, automatic CSRF tokens, and sessions for the demo
//! personas without going through Argon2 each time.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gg_web::config::Config;
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use store::{PgPool, Store};
use tower::ServiceExt;

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (a download is not text).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect()
    }

    /// The value of a hidden form field, e.g. `_csrf`.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
}

pub struct Client {
    pub router: Router,
    pub store: Store,
    pub cookies: HashMap<String, String>,
    pub ip: SocketAddr,
}

pub async fn app_with(pool: PgPool, config: Config) -> Client {
    let store = Store::from_pool(pool);
    demo::load(&store).await.expect("demo data");
    let state = gg_web::app::state(store.clone(), config)
        .await
        .expect("state");
    Client {
        router: gg_web::app::build(state),
        store,
        cookies: HashMap::new(),
        ip: "192.0.2.10:40000".parse().unwrap(),
    }
}

pub async fn app(pool: PgPool) -> Client {
    app_with(pool, Config::for_tests("postgres://unused")).await
}

impl Client {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Response {
        let body = form.map(|fields| serde_urlencoded::to_string(fields).unwrap());
        self.send(method, path, body).await
    }

    /// A form body exactly as given, already urlencoded (for bytes no encoder would produce).
    pub async fn request_raw(&mut self, method: Method, path: &str, body: &str) -> Response {
        self.send(method, path, Some(body.to_string())).await
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<String>) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        let body = match form {
            Some(encoded) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(encoded)
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).unwrap();
        req.extensions_mut().insert(ConnectInfo(self.ip));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let response = Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        };
        keep_for_html_check(path, &response, self.cookies.get("gg_csrf"));
        for c in response.set_cookies() {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        response
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.request(Method::GET, path, None).await
    }

    /// Ensures a CSRF cookie exists and returns its value.
    pub async fn csrf(&mut self) -> String {
        if !self.cookies.contains_key("gg_csrf") {
            self.get("/health").await;
        }
        self.cookies["gg_csrf"].clone()
    }

    /// Posts a form with the right CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.request(Method::POST, path, Some(&all)).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        self.post("/inloggen", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in as a demo person by creating a session directly (fast: no Argon2).
    pub async fn sign_in_as(&mut self, email: &str) {
        let id = store::people::credentials(&self.store, email)
            .await
            .unwrap()
            .expect("demo person")
            .id;
        let token = gg_web::shared::cookies::random_token();
        let mut tx = self.store.begin().await.unwrap();
        store::accounts::create_session(
            &mut tx,
            &gg_web::shared::cookies::sha256(&token),
            id,
            "127.0.0.1",
        )
        .await
        .unwrap();
        store::commit(tx).await.unwrap();
        self.cookies.insert("gg_session".into(), token);
    }

    pub async fn person_id(&self, email: &str) -> i64 {
        store::people::credentials(&self.store, email)
            .await
            .unwrap()
            .unwrap()
            .id
            .into()
    }
}

/// With `GG_HTML_DUMP` set (by `scripts/test.sh`), every full page a test renders is written
/// there once, for the Nu HTML Checker that the test command runs after the suite. Pages that
/// differ only in their CSRF token count as one.
fn keep_for_html_check(path: &str, response: &Response, csrf: Option<&String>) {
    let Some(dir) = std::env::var_os("GG_HTML_DUMP") else {
        return;
    };
    let is_html = response
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let is_page = response
        .body
        .get(..15)
        .is_some_and(|start| start.eq_ignore_ascii_case("<!doctype html>"));
    if !is_html || !is_page {
        return;
    }
    let canonical = match csrf {
        Some(token) => response.body.replace(token.as_str(), ""),
        None => response.body.clone(),
    };
    let hash = hex::encode(gg_web::shared::cookies::sha256(&canonical));
    let slug: String = path
        .split('?')
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(80)
        .collect();
    let file = std::path::Path::new(&dir).join(format!("{slug}-{}.html", &hash[..12]));
    if !file.exists() {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(file, &response.body);
    }
}

pub const PASSWORD: &str = demo::DEMO_PASSWORD;
pub const BESTUURDER: &str = "m.vandenberg@rijnoever.example";
pub const SECRETARIS: &str = "s.bakker@rijnoever.example";
pub const VAKGROEP: &str = "l.visser@rijnoever.example";
pub const CONTROLLER: &str = "r.hendriks@rijnoever.example";
pub const BEHEERDER: &str = "p.smit@rijnoever.example";
pub const TOEHOORDER: &str = "h.vos@rijnoever.example";
