//! A small W3C WebDriver client for chromedriver, over reqwest (plain HTTP, JSON).
//!
//! Only the handful of commands the end-to-end tests need. Every call returns the command's
//! `value` or a readable error naming the command and chromedriver's message.

use reqwest::Method;
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A reference to an element of the current page.
#[derive(Debug, Clone)]
pub struct Element(pub String);

/// One WebDriver session.
pub struct Session {
    http: reqwest::Client,
    driver_port: u16,
    id: String,
}

async fn call(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let what = format!("{method} {url}");
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| format!("{what}: reading the answer: {e}"))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{what}: {status}, not JSON ({e}): {text}"))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        let error = value.get("error").and_then(Value::as_str).unwrap_or("?");
        let message = value.get("message").and_then(Value::as_str).unwrap_or("");
        Err(format!("{what}: {status} {error}: {message}"))
    }
}

impl Session {
    /// `POST /session` on the chromedriver listening on `driver_port`.
    pub async fn create(driver_port: u16, capabilities: Value) -> Result<Session, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        let url = format!("http://127.0.0.1:{driver_port}/session");
        let value = call(
            &http,
            Method::POST,
            &url,
            Some(json!({ "capabilities": capabilities })),
        )
        .await?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("new session: no sessionId in {value}"))?
            .to_string();
        let session = Session {
            http,
            driver_port,
            id,
        };
        // Generous: axe-core on the largest pages takes seconds, and many more on a loaded
        // two-core machine running the whole suite; a timeout here is no finding.
        session
            .cmd(
                Method::POST,
                "/timeouts",
                Some(json!({ "implicit": 0, "pageLoad": 120_000, "script": 120_000 })),
            )
            .await?;
        Ok(session)
    }

    /// A command on this session; `path` starts with `/` (or is empty).
    pub async fn cmd(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!(
            "http://127.0.0.1:{}/session/{}{path}",
            self.driver_port, self.id
        );
        // WebDriver wants a JSON body on every POST, if only `{}`.
        let body = if method == Method::POST {
            Some(body.unwrap_or_else(|| json!({})))
        } else {
            body
        };
        call(&self.http, method, &url, body).await
    }

    pub async fn navigate(&self, url: &str) -> Result<(), String> {
        self.cmd(Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .map(drop)
    }

    pub async fn current_url(&self) -> Result<String, String> {
        let v = self.cmd(Method::GET, "/url", None).await?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("current url: not a string: {v}"))
    }

    pub async fn source(&self) -> Result<String, String> {
        let v = self.cmd(Method::GET, "/source", None).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    fn element_of(value: &Value) -> Option<Element> {
        value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_string()))
    }

    /// All elements matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self
            .cmd(
                Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(Self::element_of).collect())
            .unwrap_or_default())
    }

    pub async fn find_within(&self, parent: &Element, css: &str) -> Result<Vec<Element>, String> {
        let path = format!("/element/{}/elements", parent.0);
        let v = self
            .cmd(
                Method::POST,
                &path,
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(Self::element_of).collect())
            .unwrap_or_default())
    }

    pub async fn click(&self, element: &Element) -> Result<(), String> {
        self.cmd(Method::POST, &format!("/element/{}/click", element.0), None)
            .await
            .map(drop)
    }

    pub async fn clear(&self, element: &Element) -> Result<(), String> {
        self.cmd(Method::POST, &format!("/element/{}/clear", element.0), None)
            .await
            .map(drop)
    }

    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<(), String> {
        self.cmd(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .await
        .map(drop)
    }

    pub async fn text(&self, element: &Element) -> Result<String, String> {
        let v = self
            .cmd(Method::GET, &format!("/element/{}/text", element.0), None)
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub async fn property(&self, element: &Element, name: &str) -> Result<Value, String> {
        self.cmd(
            Method::GET,
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
        .await
    }

    /// Runs a script synchronously; `args` are passed as `arguments`.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.cmd(
            Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    pub async fn delete_cookies(&self) -> Result<(), String> {
        self.cmd(Method::DELETE, "/cookie", None).await.map(drop)
    }

    /// Ends the session (and with it the browser) without async: usable from `Drop`, also
    /// while a test is unwinding. Best effort, at most a few seconds.
    pub fn delete_blocking(&self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.driver_port));
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.id, self.driver_port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }
}
