//! The command line: `serve`, `health`, `user …`, `audit verify`, `budget verify`, `import …`
//! and `export …`.

use crate::config::Config;
use crate::serve::Database;
use crate::shared::cookies;
use crate::shared::mail::{self, Recipient, Sender};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use domain::people::{BodySeats, MembershipForm, PersonDraft, PersonForm};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use store::audit::{Verification, Who};

#[derive(Parser)]
#[command(
    name = "gelijkgericht",
    version,
    about = "Gelijkgericht: joint governance of a hospital's executive board and its medical specialists"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run migrations and serve the web application.
    Serve(ServeArgs),
    /// Ask a running server whether it is ready (GET /ready, 2.5 s at most): exit 0 on 200,
    /// otherwise 1 with the reason. Needs no database settings; for container health checks.
    Health(crate::health::check::HealthArgs),
    /// Manage accounts from scripts, e.g. to create the first administrator.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the adopted budgets.
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data files.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export a year's adopted budget (the latest adopted, or `--scenario`, marked CONCEPT when
    /// not adopted) as a controller gets it: XLSX with formulas, or the overview as CSV
    /// (docs/controller-exports.md).
    Budget(ExportBudgetArgs),
}

#[derive(Args)]
pub struct ExportBudgetArgs {
    /// The budget year.
    #[arg(long)]
    pub year: i16,
    /// A scenario of that year (its id); without it, the year's adopted budget.
    #[arg(long)]
    pub scenario: Option<i64>,
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: ExportFormat,
    /// The decimal mark of a CSV file.
    #[arg(long, value_enum, default_value = "comma")]
    pub decimal: DecimalArg,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DecimalArg {
    Comma,
    Point,
}

#[derive(Subcommand)]
pub enum BudgetCommand {
    /// Recompute the hash of every adopted budget from its stored snapshot, and the engine's and
    /// the distribution's results from the snapshot's inputs; name the first mismatch.
    Verify,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GG_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Load the demo hospital (Ziekenhuis Rijnoever) first; doing so twice changes nothing.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account and print its one-time set-password link (valid 72 hours).
    Add(AddUserArgs),
    /// Print a new one-time set-password link for an account; earlier links stop working.
    SetPasswordLink {
        /// The person's e-mail address.
        email: String,
    },
    /// Disable an account and end all of its sessions.
    Disable {
        /// The person's e-mail address.
        email: String,
    },
    /// Remove an account's second factor (secret and recovery codes) and end its sessions, for
    /// someone who lost both phone and codes, including the last beheerder. Check who asks first.
    #[command(name = "reset-2fa")]
    Reset2fa {
        /// The person's e-mail address.
        email: String,
    },
    /// List all accounts.
    List,
}

#[derive(Args)]
pub struct AddUserArgs {
    /// E-mail address (the login name).
    #[arg(long)]
    pub email: String,
    /// Full name.
    #[arg(long)]
    pub name: String,
    /// Role: bestuurder, secretaris, vakgroep, controller, beheerder or toehoorder (repeatable).
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Membership as CODE[:position[:employment form]], e.g. MSB:lid:vrijgevestigd (repeatable).
    #[arg(long = "body")]
    pub bodies: Vec<String>,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first row that does not match.
    Verify,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import one period's realised production volumes from a CSV file (all or nothing; see
    /// docs/production-import.md). The same file again changes nothing; another file replaces
    /// the period.
    Production(ImportProductionArgs),
}

#[derive(Args)]
pub struct ImportProductionArgs {
    /// The CSV file: header vakgroep;zorgproduct;volume, `;` or `,` separated.
    pub file: PathBuf,
    /// The year the volumes were realised in.
    #[arg(long)]
    pub year: i16,
    /// The period (month, 1-12).
    #[arg(long)]
    pub period: i16,
}

fn cli_who() -> Who {
    Who::system("opdrachtregel")
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Before the configuration: a health check must not fail on settings it does not use.
    if let Command::Health(args) = &cli.command {
        return crate::health::check::run(args).await;
    }
    let config = Config::from_env()?;
    match cli.command {
        Command::Health(_) => unreachable!("answered above"),
        Command::Serve(args) => crate::serve::run(config, args.addr, args.demo).await,
        Command::User(cmd) => {
            let cfg = config.clone();
            with_db(&config, |db| async move { user(&cfg, &db, cmd).await }).await
        }
        Command::Audit(AuditCommand::Verify) => {
            with_db(&config, |db| async move { verify(&db).await }).await
        }
        Command::Budget(BudgetCommand::Verify) => {
            with_db(&config, |db| async move { verify_budgets(&db).await }).await
        }
        Command::Export(ExportCommand::Budget(args)) => {
            with_db(&config, |db| async move { export_budget(&db, &args).await }).await
        }
        Command::Import(ImportCommand::Production(args)) => {
            // Read first: a missing file should not wait for the database.
            let data = std::fs::read(&args.file)
                .with_context(|| format!("kan {} niet lezen", args.file.display()))?;
            with_db(&config, |db| async move {
                import_production(&db, &args, &data).await
            })
            .await
        }
    }
}

async fn export_budget(db: &store::Store, args: &ExportBudgetArgs) -> anyhow::Result<()> {
    use crate::budget::export::{Reader, prepare};
    use domain::budget::workbook::DecimalMark;
    let id = match args.scenario {
        Some(id) => {
            let id = domain::ids::ScenarioId::new(id);
            let s = store::budget::scenario(db.pool(), id)
                .await
                .with_context(|| format!("scenario {id} bestaat niet"))?;
            if s.year != args.year {
                bail!("scenario {id} is van {}, niet van {}", s.year, args.year);
            }
            id
        }
        None => match store::budget::adoption::for_year(db, args.year)
            .await?
            .last()
        {
            Some(a) => a.scenario_id,
            None => bail!(
                "er is geen vastgestelde begroting {}; kies een scenario met --scenario",
                args.year
            ),
        },
    };
    let prepared = prepare(db, id, Reader::Controller).await?;
    let (format, mark) = (args.format, args.decimal);
    let bytes = tokio::task::spawn_blocking(move || match format {
        ExportFormat::Xlsx => prepared.xlsx(),
        ExportFormat::Csv => prepared.csv(match mark {
            DecimalArg::Comma => DecimalMark::Comma,
            DecimalArg::Point => DecimalMark::Point,
        }),
    })
    .await??;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("kan {} niet schrijven", args.out.display()))?;
    println!(
        "{} geschreven ({} bytes, scenario {id}).",
        args.out.display(),
        bytes.len()
    );
    Ok(())
}

async fn with_db<F, Fut>(config: &Config, f: F) -> anyhow::Result<()>
where
    F: FnOnce(store::Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let db = Database::open(config, true).await?;
    db.store.migrate().await.context("running migrations")?;
    let result = f(db.store.clone()).await;
    db.close().await;
    result
}

async fn user(config: &Config, db: &store::Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add(args) => {
            let input = person_input(db, &args).await?;
            let token = cookies::random_token();
            let mut tx = db.begin().await?;
            let id = match store::people::create(&mut tx, &cli_who(), &input, false).await {
                Err(store::StoreError::Duplicate(_)) => {
                    bail!("an account with e-mail {} already exists", input.email)
                }
                other => other?,
            };
            store::accounts::create_password_link(
                &mut tx,
                &cli_who(),
                &cookies::sha256(&token),
                id,
            )
            .await?;
            let to = Recipient {
                person: id,
                email: input.email.as_str().to_string(),
            };
            mail_link(config, db, &mut tx, to, input.name.as_str(), &token).await?;
            store::commit(tx).await?;
            println!(
                "Account {} aangemaakt voor {}.",
                input.email,
                input.name.as_str()
            );
            println!(
                "Link om het wachtwoord in te stellen (72 uur geldig, één keer te gebruiken):"
            );
            println!("{}/wachtwoord-instellen/{token}", config.base_url);
        }
        UserCommand::SetPasswordLink { email } => {
            let person = find(db, &email).await?;
            let token = cookies::random_token();
            let mut tx = db.begin().await?;
            store::accounts::create_password_link(
                &mut tx,
                &cli_who(),
                &cookies::sha256(&token),
                person.id,
            )
            .await?;
            let name = store::people::get(db, person.id).await?.name;
            let to = Recipient {
                person: person.id,
                email: person.email.clone(),
            };
            mail_link(config, db, &mut tx, to, &name, &token).await?;
            store::commit(tx).await?;
            println!("{}/wachtwoord-instellen/{token}", config.base_url);
        }
        UserCommand::Disable { email } => {
            let person = find(db, &email).await?;
            let mut tx = db.begin().await?;
            store::people::set_disabled(&mut tx, &cli_who(), person.id, true).await?;
            store::commit(tx).await?;
            println!(
                "Account {} is geblokkeerd; alle sessies zijn beëindigd.",
                person.email
            );
        }
        UserCommand::Reset2fa { email } => {
            let person = find(db, &email).await?;
            let mut tx = db.begin().await?;
            let had = store::twofactor::reset(&mut tx, &cli_who(), person.id).await?;
            if had {
                let to = Recipient {
                    person: person.id,
                    email: person.email.clone(),
                };
                let hospital = hospital_name(db).await?;
                let from = Sender {
                    config,
                    hospital: &hospital,
                };
                mail::account::notice(&mut tx, &from, to, mail::account::Change::SecondFactorReset)
                    .await
                    .map_err(|e| anyhow::anyhow!("writing the notice: {e:?}"))?;
            }
            store::commit(tx).await?;
            if had {
                println!(
                    "De tweestapsverificatie van {} is verwijderd; alle sessies zijn beëindigd. Bij de volgende keer inloggen stelt de persoon een nieuwe telefoon in (verplicht voor de rollen die het vereisen).",
                    person.email
                );
            } else {
                println!(
                    "{} had geen tweestapsverificatie ingesteld; alle sessies zijn beëindigd.",
                    person.email
                );
            }
        }
        UserCommand::List => {
            for p in store::people::list(db).await? {
                let status = if p.disabled_at.is_some() {
                    "geblokkeerd"
                } else if p.has_password {
                    "actief"
                } else {
                    "wacht op wachtwoord"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.email,
                    p.name,
                    p.roles
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(","),
                    domain::people::BodyCode::join(&p.bodies, ","),
                    status
                );
            }
        }
    }
    Ok(())
}

async fn hospital_name(db: &store::Store) -> anyhow::Result<String> {
    Ok(store::settings::get(db, store::settings::HOSPITAL_NAME)
        .await?
        .unwrap_or_else(|| "Ziekenhuis".to_string()))
}

/// The set-password link also goes by mail (to the outbox: sent when GG_SMTP_URL is set).
async fn mail_link(
    config: &Config,
    db: &store::Store,
    tx: &mut store::Tx,
    to: Recipient,
    name: &str,
    token: &str,
) -> anyhow::Result<()> {
    let hospital = hospital_name(db).await?;
    let from = Sender {
        config,
        hospital: &hospital,
    };
    mail::account::password_link(tx, &from, to, name, token)
        .await
        .map_err(|e| anyhow::anyhow!("writing the mail: {e:?}"))
}

async fn find(db: &store::Store, email: &str) -> anyhow::Result<store::people::Credentials> {
    let email = email.trim().to_lowercase();
    store::people::credentials(db, &email)
        .await?
        .with_context(|| format!("no account with e-mail {email}"))
}

/// The person `user add` creates, checked by the same rules as Beheer › Personen
/// (`PersonDraft::parse`); only reading the command line (which body a code names) is the CLI's.
async fn person_input(db: &store::Store, args: &AddUserArgs) -> anyhow::Result<PersonDraft> {
    let bodies = store::bodies::list(db.pool()).await?;
    let mut memberships = Vec::new();
    for spec in &args.bodies {
        let mut parts = spec.split(':');
        let code = parts.next().unwrap_or_default();
        let body = bodies
            .iter()
            .find(|b| b.code.as_str().eq_ignore_ascii_case(code))
            .with_context(|| {
                format!(
                    "--body {spec}: unknown body; known: {}",
                    bodies
                        .iter()
                        .map(|b| b.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        memberships.push(MembershipForm {
            body_id: body.id,
            position: parts.next().unwrap_or("lid").to_string(),
            employment_form: parts.next().unwrap_or_default().to_string(),
        });
    }
    let form = PersonForm {
        name: args.name.clone(),
        email: args.email.clone(),
        roles: args.roles.iter().map(|r| r.trim().to_string()).collect(),
        memberships,
        vakgroepen: BTreeSet::new(),
    };
    let seats: Vec<BodySeats<'_>> = bodies
        .iter()
        .map(|b| BodySeats {
            id: b.id,
            code: b.code.as_str(),
            kind: b.kind,
            seats: b.seats(),
        })
        .collect();
    PersonDraft::parse(&form, &seats).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        anyhow::anyhow!("{}", lines.join("\n"))
    })
}

async fn verify(db: &store::Store) -> anyhow::Result<()> {
    match store::audit::verify(db).await? {
        Verification::Intact { rows } => {
            println!("Audit trail intact: {rows} rows checked.");
            Ok(())
        }
        Verification::Broken { rows_checked, at } => {
            let what = match at {
                domain::audit::ChainBreak::Content { seq } => {
                    format!("row {seq} was changed (its content does not match its hash)")
                }
                domain::audit::ChainBreak::Link { seq } => format!(
                    "row {seq} does not follow the row before it (a row was removed or reordered)"
                ),
            };
            bail!("Audit trail BROKEN: {what}; {rows_checked} rows before it are intact.")
        }
    }
}

/// `budget verify`: every adopted budget, oldest first, until the first that does not check out
/// (docs/adoption.md).
async fn verify_budgets(db: &store::Store) -> anyhow::Result<()> {
    let ids = store::budget::adoption::ids(db).await?;
    for id in &ids {
        let stored = store::budget::adoption::stored(db, *id).await?;
        let name = format!(
            "adopted budget {} ({}, {})",
            stored.id, stored.year, stored.scenario_name
        );
        let snapshot = domain::budget::adoption::verify(&stored.snapshot, &stored.content_hash)
            .map_err(|e| anyhow::anyhow!("Budget verification FAILED at {name}: {e}."))?;
        if snapshot.allocations() != stored.allocations {
            bail!(
                "Budget verification FAILED at {name}: the allocation rows do not match the snapshot."
            );
        }
    }
    println!(
        "Adopted budgets intact: {} checked (hash, engine and distribution recomputed).",
        ids.len()
    );
    Ok(())
}

async fn import_production(
    db: &store::Store,
    args: &ImportProductionArgs,
    data: &[u8],
) -> anyhow::Result<()> {
    use domain::nl;
    use std::io::{IsTerminal as _, Write as _};
    use store::production::{ImportOutcome, ImportRequest, Progress};

    // Progress overwrites one line, which only makes sense on a terminal.
    let show_progress = std::io::stderr().is_terminal();
    let source_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let count = |n: usize| nl::number(n.into(), 0);
    domain::production::check_period(args.year.into(), args.period.into())
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let outcome = store::production::import(
        db,
        &cli_who(),
        ImportRequest {
            year: args.year,
            period: args.period,
            source_name: &source_name,
            data,
        },
        |p| {
            if !show_progress {
                return;
            }
            let line = match p {
                Progress::Parsed { lines } => format!("gelezen: {} regels", count(lines)),
                Progress::Loaded { lines, total } => {
                    format!("geladen: {} van {} regels", count(lines), count(total))
                }
                Progress::Saving => "controleren en opslaan…".to_string(),
            };
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
        },
    )
    .await;
    if show_progress {
        eprintln!();
    }
    match outcome? {
        ImportOutcome::Imported(s) => {
            println!(
                "Productie {} periode {} geïmporteerd uit {source_name}: {} {}, {} {}, totaal volume {}.",
                s.year,
                s.period,
                count(s.lines),
                if s.lines == 1 { "regel" } else { "regels" },
                s.vakgroepen,
                if s.vakgroepen == 1 {
                    "vakgroep"
                } else {
                    "vakgroepen"
                },
                domain::budget::volume_text(s.total_volume)
            );
            if let Some(old) = s.replaced_import_id {
                println!("Deze import vervangt import {old} van dezelfde periode.");
            }
            println!("Importnummer {}, SHA-256 {}.", s.import_id, s.file_sha256);
            Ok(())
        }
        ImportOutcome::AlreadyImported {
            import_id,
            imported_at,
            imported_by,
        } => {
            println!(
                "Dit bestand is al geïmporteerd voor {} periode {} (import {import_id}, {} door {imported_by}); er is niets gewijzigd.",
                args.year,
                args.period,
                nl::datetime(imported_at)
            );
            Ok(())
        }
        ImportOutcome::Rejected { errors, total } => {
            // The refusal is the command's error, so it goes where errors go: a script that
            // keeps stdout for summaries still shows the user what to correct.
            for e in &errors {
                eprintln!("{e}");
            }
            if total > errors.len() {
                eprintln!(
                    "… en nog {} fouten (de eerste {} staan hierboven).",
                    count(total - errors.len()),
                    count(errors.len())
                );
            }
            bail!(
                "{} {} in {source_name}; er is niets geïmporteerd.",
                count(total),
                if total == 1 { "fout" } else { "fouten" }
            )
        }
    }
}
