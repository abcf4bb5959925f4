use clap::Parser;
use tracing_subscriber::EnvFilter;

fn init_logging() {
    let filter =
        EnvFilter::try_from_env("GG_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("GG_LOG_FORMAT")
        .map(|f| f.eq_ignore_ascii_case("json"))
        .unwrap_or(false);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        builder.compact().init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_logging();
    let cli = gg_web::cli::Cli::parse();
    match gg_web::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gelijkgericht: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
