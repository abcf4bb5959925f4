//! A real SMTP server for the mail tests: aiosmtpd (installed by scripts/test.sh into a virtual
//! environment, `GG_SMTP_SINK_PYTHON`) writing every message it accepts into a Maildir. Shared by
//! the HTTP tests, the binary's crash test (`cli_mail_crash.rs`) and the mail bench.

// Not every user reads every field.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Sink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

/// One delivered message, as far as the tests read it.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    /// The whole message as received (headers and MIME parts, transfer-encoded).
    pub raw: String,
}

impl Delivered {
    /// The value of the message's header `name` (unfolded), or `None` when it has none.
    pub fn header(&self, name: &str) -> Option<String> {
        header(&self.raw, name)
    }
}

/// A top-level header of a raw message, its folded lines joined (RFC 5322 §2.2.3).
fn header(raw: &str, name: &str) -> Option<String> {
    let mut lines = raw.lines().take_while(|l| !l.is_empty()).peekable();
    while let Some(line) = lines.next() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.eq_ignore_ascii_case(name) {
            continue;
        }
        let mut value = value.trim().to_string();
        while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
            value.push(' ');
            value.push_str(next.trim());
        }
        return Some(value);
    }
    None
}

impl Sink {
    pub async fn start() -> Sink {
        let python = std::env::var("GG_SMTP_SINK_PYTHON").unwrap_or_else(|_| {
            format!(
                "{}/../../scripts/checkers/venv/bin/python",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = std::env::temp_dir().join(format!("gg-maildir-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting aiosmtpd with {python} (run scripts/test.sh once to install it): {e}"
                )
            });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Sink { child, port, dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not listen on {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let field = |name: &str| header(&raw, name).unwrap_or_default();
                out.push(Delivered {
                    to: field("To"),
                    subject: field("Subject"),
                    message_id: field("Message-ID"),
                    raw,
                });
            }
        }
        out
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
