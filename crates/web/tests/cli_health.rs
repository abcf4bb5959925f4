//! `gelijkgericht health`, the image's health check: the real binary against a real server on a
//! fresh database (ready, then its database gone), and against stand-ins for what else may sit on
//! a port (nothing, a silent listener, something that is not HTTP). Exit 0 only for a 200, and
//! otherwise one line on stderr that says why; no configuration needed but `GG_ADDR`.

mod e2e_support;

use e2e_support::{
    App, TempDir, free_port, fresh_database, gelijkgericht, poll, signal, wait_exit,
};
use sqlx::Connection as _;
use std::fs::File;
use std::process::Child;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

struct Health {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `gelijkgericht health` with a clean environment plus `env`.
async fn health(env: &[(&str, &str)], args: &[&str]) -> Health {
    let mut cmd = gelijkgericht();
    cmd.arg("health").args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("running health"))
        .await
        .unwrap();
    Health {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

impl Health {
    /// Exit 1 with exactly one line on stderr containing `reason`.
    fn assert_fails_with(&self, reason: &str) {
        assert_eq!(self.code, Some(1), "{self:?}");
        assert_eq!(self.stderr.trim_end().lines().count(), 1, "{self:?}");
        assert!(
            self.stderr.contains(reason),
            "expected {reason:?}: {self:?}"
        );
    }
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?} after {:?}; stdout {:?}; stderr {:?}",
            self.code, self.took, self.stdout, self.stderr
        )
    }
}

/// `gelijkgericht serve` (without the demo: only readiness matters here), ended on drop.
struct Server {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
    _dir: TempDir,
}

impl Server {
    async fn start(database_url: &str) -> Server {
        // The free port may be taken by a parallel test before the server binds it: try again.
        for _ in 0..5 {
            let port = free_port();
            let dir = TempDir::new("health");
            let log = dir.path().join("serve.log");
            let out = File::create(&log).unwrap();
            let child = gelijkgericht()
                .env("DATABASE_URL", database_url)
                .env("GG_SECRET_KEY", App::TEST_SECRET_KEY)
                .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .expect("starting gelijkgericht serve");
            let mut server = Server {
                child,
                port,
                log,
                _dir: dir,
            };
            // Readiness is judged with another client than the one under test.
            let http = reqwest::Client::new();
            let ready_url = format!("http://127.0.0.1:{port}/ready");
            let ready = poll(Duration::from_secs(60), || {
                let (http, url) = (http.clone(), ready_url.clone());
                let exited = matches!(server.child.try_wait(), Ok(Some(_)));
                async move {
                    if exited {
                        return Some(false);
                    }
                    match http.get(&url).send().await {
                        Ok(r) if r.status() == reqwest::StatusCode::OK => Some(true),
                        _ => None,
                    }
                }
            })
            .await;
            match ready {
                Some(true) => return server,
                _ if server.output().contains("Address already in use") => continue,
                _ => panic!("serve did not become ready:\n{}", server.output()),
            }
        }
        panic!("no free port for serve after five attempts")
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        signal(&self.child.id().to_string(), "TERM");
        if wait_exit(&mut self.child, Duration::from_secs(10)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test]
async fn health_follows_a_real_server_and_its_database() {
    let url = fresh_database().await;
    let server = Server::start(&url).await;
    let port = server.port.to_string();

    // The image's way: no --url, the address from GG_ADDR as `serve` would bind it (the
    // wildcard asked on the loopback), and none of the settings the server needs. Settings that
    // would stop every other command do not stop this one.
    let addr = format!("0.0.0.0:{port}");
    let ok = health(
        &[
            ("GG_ADDR", &addr),
            ("GG_ENV", "nonsense"),
            ("GG_DB_MAX_CONNECTIONS", "veel"),
        ],
        &[],
    )
    .await;
    assert_eq!(ok.code, Some(0), "{ok:?}");
    assert!(
        ok.stdout
            .contains(&format!("http://127.0.0.1:{port}/ready answered 200 OK")),
        "{ok:?}"
    );
    assert!(ok.stderr.is_empty(), "{ok:?}");

    // A base URL asks /ready; a full URL asks its own path.
    let base = format!("http://127.0.0.1:{port}");
    for args in [
        vec!["--url".to_string(), base.clone()],
        vec!["--url".to_string(), format!("{base}/")],
        vec!["--url".to_string(), format!("{base}/health")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ok = health(&[], &args).await;
        assert_eq!(ok.code, Some(0), "{args:?}: {ok:?}");
    }
    health(&[], &["--url", &format!("{base}/bestaat-niet")])
        .await
        .assert_fails_with("answered 404");

    // The database goes away under the running server: /ready says so, and so does the check.
    let admin = std::env::var("DATABASE_URL").unwrap();
    let name = url.rsplit('/').next().unwrap().to_string();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    let failed = poll(Duration::from_secs(30), || async {
        let h = health(&[], &["--url", &base]).await;
        h.stderr.contains("503").then_some(h)
    })
    .await
    .unwrap_or_else(|| panic!("health never reported the 503:\n{}", server.output()));
    failed.assert_fails_with(&format!(
        "health: {base} answered 503 Service Unavailable (database niet bereikbaar)"
    ));
}

#[tokio::test]
async fn health_fails_where_nobody_listens() {
    let port = free_port();
    health(&[], &["--url", &format!("http://127.0.0.1:{port}")])
        .await
        .assert_fails_with("cannot connect");
    // The default address follows GG_ADDR, so it fails there too.
    health(&[("GG_ADDR", &format!("127.0.0.1:{port}"))], &[])
        .await
        .assert_fails_with(&format!("http://127.0.0.1:{port}/ready: cannot connect"));
}

#[tokio::test]
async fn health_refuses_what_it_cannot_ask() {
    for (args, env, reason) in [
        (
            vec!["--url", "https://127.0.0.1:8443/ready"],
            vec![],
            "only http:// URLs",
        ),
        (vec!["--url", "http://:8080"], vec![], "no host"),
        (vec!["--url", "http://127.0.0.1:acht"], vec![], "bad port"),
        (vec![], vec![("GG_ADDR", "overal")], "GG_ADDR=overal"),
    ] {
        let h = health(&env, &args).await;
        h.assert_fails_with(reason);
    }
}

/// What a stand-in does with each connection after reading the request.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Writes these bytes and closes.
    Answer(&'static [u8]),
    /// Writes these bytes and keeps the connection open.
    AnswerAndHold(&'static [u8]),
    /// Keeps the connection open and says nothing.
    Silent,
}

/// A listener on a free port that treats every connection the same way; the request heads it
/// received come out of the channel.
async fn stand_in(behaviour: Behaviour) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (heads, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let heads = heads.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 512];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = heads.send(String::from_utf8_lossy(&head).into_owned());
                match behaviour {
                    Behaviour::Answer(bytes) => {
                        let _ = stream.write_all(bytes).await;
                    }
                    Behaviour::AnswerAndHold(bytes) => {
                        let _ = stream.write_all(bytes).await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Behaviour::Silent => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    (base, received)
}

#[tokio::test]
async fn health_asks_for_ready_and_reports_a_refusal() {
    let (base, mut heads) = stand_in(Behaviour::Answer(
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 24\r\n\r\ndatabase niet bereikbaar",
    ))
    .await;
    health(&[], &["--url", &base])
        .await
        .assert_fails_with("answered 503 Service Unavailable (database niet bereikbaar)");
    let head = heads.recv().await.unwrap();
    assert!(head.starts_with("GET /ready HTTP/1.1\r\n"), "{head:?}");
    let host = base.trim_start_matches("http://");
    assert!(head.contains(&format!("\r\nHost: {host}\r\n")), "{head:?}");
}

#[tokio::test]
async fn health_fails_on_an_answer_that_is_not_http() {
    let (base, _heads) = stand_in(Behaviour::Answer(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n")).await;
    health(&[], &["--url", &base])
        .await
        .assert_fails_with("not an HTTP answer: \"SSH-2.0-OpenSSH_9.2p1 Debian\"");

    let (base, _heads) = stand_in(Behaviour::Answer(b"")).await;
    health(&[], &["--url", &base])
        .await
        .assert_fails_with("the connection closed without an answer");
}

#[tokio::test]
async fn health_gives_up_on_a_silent_server_in_time() {
    let (base, _heads) = stand_in(Behaviour::Silent).await;
    let h = health(&[], &["--url", &base]).await;
    h.assert_fails_with("no answer within 2.5 s");
    // Docker's --timeout=3s kills a check that takes longer, without a reason; the margin is for
    // starting the process on a busy machine.
    assert!(h.took < Duration::from_secs(4), "{h:?}");
}

#[tokio::test]
async fn health_takes_a_200_from_a_server_that_keeps_the_connection_open() {
    let (base, _heads) = stand_in(Behaviour::AnswerAndHold(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    ))
    .await;
    let h = health(&[], &["--url", &base]).await;
    assert_eq!(h.code, Some(0), "{h:?}");
    assert!(h.stdout.contains("answered 200 OK (ok)"), "{h:?}");
}
