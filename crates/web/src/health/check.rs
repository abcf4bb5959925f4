//! `gelijkgericht health`: asks a running server whether it is ready and answers with the exit
//! code, for the image's `HEALTHCHECK` (Debian's `/bin/sh` is dash, which has no `/dev/tcp`, and
//! the slim image has no curl).
//!
//! It speaks just enough HTTP/1.1 over a TCP stream to read a status line: the check runs next to
//! the server, so TLS and a client library would only add weight. It reads no configuration but
//! `GG_ADDR`, so it works where `DATABASE_URL` or `GG_SECRET_KEY` are not set or not valid.

use anyhow::{Context, bail};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout_at};

/// The whole check: connect, ask, read. Longer than `/ready` waits for the database (2 s), so a
/// slow database is reported as the server's 503 and not as our impatience; shorter than the
/// image's `--timeout=3s`, so a hanging server is reported with a reason instead of killed by
/// Docker without one.
const TIMEOUT: Duration = Duration::from_millis(2500);

/// More than a readiness answer ever needs; a server that sends more is not ours.
const MAX_ANSWER: usize = 8 * 1024;

#[derive(clap::Args)]
pub struct HealthArgs {
    /// What to ask. A base URL such as http://127.0.0.1:8080 asks its /ready; a URL with a path
    /// (e.g. http://127.0.0.1:8080/health) asks that path. Plain http:// only: the check is meant
    /// to run next to the server. Default: /ready on the address `serve` listens on (GG_ADDR,
    /// else 127.0.0.1:8080), asked on the loopback address when that is 0.0.0.0 or [::].
    #[arg(long)]
    pub url: Option<String>,
}

/// Ok (exit 0) when the server answers 200 within [`TIMEOUT`]; otherwise the error says why.
pub async fn run(args: &HealthArgs) -> anyhow::Result<()> {
    let target = match &args.url {
        Some(url) => Target::parse(url)?,
        None => Target::serving()?,
    };
    let answer = ask(&target, Instant::now() + TIMEOUT)
        .await
        .with_context(|| format!("health: {}", target.url))?;
    if answer.status != 200 {
        bail!("health: {} answered {}", target.url, answer.summary());
    }
    println!("{} answered {}", target.url, answer.summary());
    Ok(())
}

#[derive(Debug)]
struct Target {
    host: String,
    port: u16,
    /// `Host` header: the authority as written.
    authority: String,
    path: String,
    /// The URL as asked, for messages.
    url: String,
}

impl Target {
    /// Where `serve` listens with the same `GG_ADDR`. A wildcard address cannot be connected to
    /// (the image listens on 0.0.0.0), so its family's loopback is asked instead.
    fn serving() -> anyhow::Result<Self> {
        let addr = match std::env::var("GG_ADDR") {
            Ok(text) if !text.trim().is_empty() => text
                .trim()
                .parse::<SocketAddr>()
                .map_err(|e| anyhow::anyhow!("health: GG_ADDR={text}: {e}"))?,
            _ => SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
        };
        let ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Self::parse(&format!(
            "http://{}/ready",
            SocketAddr::new(ip, addr.port())
        ))
    }

    fn parse(url: &str) -> anyhow::Result<Self> {
        let bad = |why: &str| anyhow::anyhow!("health: --url {url}: {why}");
        let rest = url
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
            .map(|_| &url[7..])
            .ok_or_else(|| bad("only http:// URLs can be asked"))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let path = match path {
            "" | "/" => "/ready".to_string(),
            p if p.starts_with('?') => format!("/ready{p}"),
            p => p.to_string(),
        };
        if authority.contains('@') {
            return Err(bad("a user name or password is not supported"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            // An IPv6 literal, [::1] or [::1]:8080.
            Some(v6) => {
                let (host, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
                match after {
                    "" => (host, None),
                    p => (
                        host,
                        Some(p.strip_prefix(':').ok_or_else(|| bad("bad port"))?),
                    ),
                }
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("no host"));
        }
        let port = match port {
            None | Some("") => 80,
            Some(p) => p.parse().map_err(|_| bad("bad port"))?,
        };
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("the path may not contain spaces"));
        }
        Ok(Self {
            host: host.to_string(),
            port,
            authority: authority.to_string(),
            path,
            url: url.to_string(),
        })
    }
}

struct Answer {
    status: u16,
    /// The status line after the code, e.g. "Service Unavailable".
    reason: String,
    /// The first line of the body: /ready says why it is not ready.
    said: String,
}

impl Answer {
    fn summary(&self) -> String {
        let mut text = format!("{} {}", self.status, self.reason);
        if !self.said.is_empty() {
            text.push_str(&format!(" ({})", self.said));
        }
        text.trim().to_string()
    }
}

async fn ask(target: &Target, deadline: Instant) -> anyhow::Result<Answer> {
    let late = || anyhow::anyhow!("no answer within {} s", TIMEOUT.as_secs_f32());
    let mut stream = timeout_at(
        deadline,
        tokio::net::TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| late())?
    .context("cannot connect")?;
    // `Connection: close` makes the server end the stream after its answer, so the end of the
    // answer is the end of the stream and no framing has to be understood.
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: gelijkgericht-health\r\nConnection: close\r\n\r\n",
        target.path, target.authority
    );
    timeout_at(deadline, stream.write_all(request.as_bytes()))
        .await
        .map_err(|_| late())?
        .context("sending the request")?;
    let mut answer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while answer.len() < MAX_ANSWER {
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
            // Once the status line is in, a server that keeps the stream open (or resets it)
            // has still answered.
            _ if answer.contains(&b'\n') => break,
            Err(_) => return Err(late()),
            Ok(Err(e)) => return Err(e).context("reading the answer"),
        }
    }
    read_answer(&answer)
}

fn read_answer(bytes: &[u8]) -> anyhow::Result<Answer> {
    if bytes.is_empty() {
        bail!("the connection closed without an answer");
    }
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or((&text, ""));
    let status_line = head.lines().next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        bail!("not an HTTP answer: {:?}", one_line(status_line));
    }
    let status = code
        .parse()
        .map_err(|_| anyhow::anyhow!("not an HTTP answer: {:?}", one_line(status_line)))?;
    Ok(Answer {
        status,
        reason: one_line(parts.next().unwrap_or_default()),
        said: one_line(body.lines().find(|l| !l.trim().is_empty()).unwrap_or("")),
    })
}

/// A text fit for the one line a health check prints: no control characters, short.
fn one_line(text: &str) -> String {
    let clean: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    clean.trim_end().to_string()
}
