//! The binary's headless subcommands, over the same cache as the window, for terminals and scripts.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::activity::{self, ActivityEntry, ActivityFilter, ActivityResult};
use crate::display_text::shown;
use crate::error::CoreResult;
use crate::model::{Environment, InventoryFilter};
use crate::monitor::history::SweepReport;
use crate::monitor::views::FleetView;
use crate::paths::AppPaths;
use crate::store::Store;
use crate::{inventory, monitor, transfer};

/// Characters of a name, host or tag list printed in a table cell; text from the inventory (which
/// an imported file may have filled) is also stripped of terminal escapes before printing.
const CELL_CHARS: usize = 60;
/// Characters of an error or reason printed on a status line.
const LINE_CHARS: usize = 400;

#[derive(Debug, Parser)]
#[command(
    name = "gen3-csoc",
    version,
    about = "Gen3 CSOC Desktop: operate a fleet of Gen3 data commons.",
    long_about = "Gen3 CSOC Desktop: operate a fleet of Gen3 data commons.\n\nRun with no subcommand to open the \
                  window. The subcommands work without a display, over the same local cache."
)]
pub struct Cli {
    /// Folder for the cache and logs (default: the platform data folder; env GEN3_CSOC_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Open the window on a simulated demo fleet (its own cache; your inventory is untouched).
    #[arg(long)]
    pub demo: bool,
    /// Open the window ready to import PATH (a gen3-gitops commons folder, a values.yaml or a
    /// manifest.json) into the commons wizard. Naming it here lets the app read it, as choosing it
    /// in a dialog does.
    #[arg(long, value_name = "PATH")]
    pub import: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, export and import the commons inventory.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Check every commons now (health, versions, certificates, counts) and record the results.
    Sweep {
        /// Print the sweep's report (changes and alerts) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import an existing commons, or render the files the commons wizard writes.
    #[command(subcommand)]
    Commons(CommonsCommand),
    /// Render a data mesh's hub files.
    #[command(subcommand)]
    Mesh(MeshCommand),
    /// Print the fleet's last known state from the cache (no network).
    Status {
        /// Print the whole fleet view as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Store API keys in the vault (the system keyring, as the window uses it) and list them.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Write a zip for support: versions, the keyring and cache checks, the logs and their last
    /// errors, whether each commons can be reached, and the inventory without notes. No secret.
    Diagnostics { file: PathBuf },
    /// Print what the app did (sweeps, state changes, imports, exports, key actions, wizard saves,
    /// launches, settings writes), newest first. No secret is ever recorded.
    Activity {
        /// Print JSON Lines (one entry per line, as the window exports them) instead of a table.
        #[arg(long)]
        json: bool,
        /// Only entries about this commons (its inventory id).
        #[arg(long, value_name = "ID")]
        commons: Option<String>,
        /// At most this many entries.
        #[arg(long, value_name = "N", default_value_t = 200)]
        limit: u32,
    },
    /// Share the inventory with the team through a git repository (one YAML file per commons).
    #[command(subcommand)]
    Team(TeamCommand),
    /// Run headless: sweep on the schedule and serve the fleet's health as OpenMetrics on /metrics
    /// (for Prometheus; see docs/kubernetes/ for a Deployment).
    Serve {
        /// Address to serve /metrics on, e.g. 0.0.0.0:9464 (port 0: any free port).
        #[arg(long, value_name = "ADDR")]
        metrics: std::net::SocketAddr,
        /// Seconds between sweeps (default: the monitoring settings' interval, 5 minutes).
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(5..))]
        interval: Option<u64>,
    },
    /// Send state changes and expiry alerts to a Slack-compatible or a generic JSON webhook.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Store the webhook's URL in the vault, read from standard input (never from the command line,
    /// where shell history and `ps` would keep it).
    Set {
        #[arg(value_enum)]
        kind: WebhookArg,
    },
    /// Remove the webhook's URL from the vault.
    Clear {
        #[arg(value_enum)]
        kind: WebhookArg,
    },
    /// List the webhooks that have a URL (never the URL).
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WebhookArg {
    Slack,
    Generic,
}

impl From<WebhookArg> for crate::webhooks::WebhookKind {
    fn from(k: WebhookArg) -> Self {
        match k {
            WebhookArg::Slack => Self::Slack,
            WebhookArg::Generic => Self::Generic,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Clone the team repository and sync: this inventory and the repository's are merged.
    Join {
        /// A clone URL (https, ssh) or the path of a repository.
        repo: String,
        /// The inventory's folder in the repository.
        #[arg(long, value_name = "PATH", default_value = crate::team::DEFAULT_FOLDER)]
        folder: String,
        /// Commit author name for your changes (default: your git configuration).
        #[arg(long)]
        name: Option<String>,
        /// Commit author e-mail for your changes (default: your git configuration).
        #[arg(long)]
        email: Option<String>,
    },
    /// Fetch, merge per commons and field, commit and push; conflicts are kept for you to resolve.
    Sync,
    /// Print the repository, the last sync, changes waiting to be pushed and open conflicts.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Resolve a conflict (as `team status` lists it) by keeping your value or theirs.
    Resolve {
        /// `commons` or `mesh`.
        kind: String,
        /// The commons' id or the mesh's name.
        key: String,
        /// The field, or `*` for a record deleted on one side and edited on the other.
        field: String,
        #[arg(long, value_enum)]
        keep: KeepArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeepArg {
    Mine,
    Theirs,
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store a credentials.json for the commons whose fence issued it (its `iss`).
    Import {
        file: PathBuf,
        /// The inventory id of the commons to store it for; it must be the commons that issued it.
        #[arg(long, value_name = "ID")]
        commons: Option<String>,
    },
    /// List the stored keys: commons, the key's last characters, expiry and status (never the key).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Print the inventory, production first.
    List {
        /// Print JSON (the same records the export holds) instead of a table.
        #[arg(long)]
        json: bool,
        /// Only commons whose name, host, owner, contact, notes or tags contain this text.
        #[arg(long)]
        search: Option<String>,
        /// Only commons in this environment.
        #[arg(long, value_enum)]
        env: Option<EnvArg>,
    },
    /// Write the whole inventory (no secrets) to a JSON file.
    Export { file: PathBuf },
    /// Merge an exported inventory file into this one: all of it, or nothing if any record is bad.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum CommonsCommand {
    /// Add a commons to the inventory from a gen3-gitops commons folder, a values file, a
    /// cdis-manifest commons folder or a manifest.json (also kept as a wizard draft, to edit and
    /// re-launch in the window).
    Import {
        path: PathBuf,
        /// Also write the imported answers to this YAML file (for `commons render`).
        #[arg(long, value_name = "FILE")]
        answers_out: Option<PathBuf>,
    },
    /// Check a commons on disk as the wizard's review would (for CI): prints every finding with
    /// its id, severity, step, key, file and line; exits non-zero when an error that cannot be
    /// acknowledged stands. Writes nothing and does not open the inventory.
    Check {
        path: PathBuf,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the files the wizard would write from a saved answers file (YAML or JSON); exits
    /// non-zero with the validation errors, writing nothing, if the answers do not pass.
    Render {
        answers: PathBuf,
        /// Where to write: the repository root for a GitOps destination, the values folder for Helm.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Acknowledge a production security finding by its id (repeat for several).
        #[arg(long = "acknowledge", value_name = "ID")]
        acknowledge: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeshCommand {
    /// Write the hub's files for a mesh answers file (YAML or JSON; a relative hub.gitops_folder
    /// is read from the answers file's folder) into the gen3-gitops repository at --out, and print
    /// the values each member must add; writes nothing while the checks find errors.
    Render {
        answers: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvArg {
    Production,
    Staging,
    Dev,
    Other,
}

impl From<EnvArg> for Environment {
    fn from(e: EnvArg) -> Self {
        match e {
            EnvArg::Production => Environment::Production,
            EnvArg::Staging => Environment::Staging,
            EnvArg::Dev => Environment::Dev,
            EnvArg::Other => Environment::Other,
        }
    }
}

/// Runs one headless command, writing its result to `out`.
pub fn run(command: &Command, paths: &AppPaths, out: &mut dyn Write) -> CoreResult<()> {
    let write_err = |e: std::io::Error| crate::error::CoreError::io("write to", std::path::Path::new("stdout"), &e);
    // Commands that read and write files only: they never open (or create) the cache.
    match command {
        Command::Commons(CommonsCommand::Check { path, json }) => {
            let report = crate::deploy::check::check(path)?;
            let text = if *json {
                serde_json::to_string_pretty(&report).expect("report serializes")
            } else {
                crate::deploy::check::to_text(&report)
            };
            writeln!(out, "{text}").map_err(write_err)?;
            return match report.blocking {
                0 => Ok(()),
                n => Err(crate::error::CoreError::invalid(format!(
                    "{n} error{} must be fixed before this commons can be launched.",
                    if n == 1 { "" } else { "s" }
                ))),
            };
        }
        Command::Commons(CommonsCommand::Render { answers, out: dir, acknowledge }) => {
            let text = crate::deploy::cli::render(answers, dir, acknowledge)?;
            return writeln!(out, "{text}").map_err(write_err);
        }
        Command::Mesh(MeshCommand::Render { answers, out: dir }) => {
            let text = crate::mesh::cli::render(answers, dir)?;
            return writeln!(out, "{text}").map_err(write_err);
        }
        // Works on a cache that does not open: that is when support needs it most.
        Command::Diagnostics { file } => {
            let text = collect_diagnostics(paths, file)?;
            return writeln!(out, "{text}").map_err(write_err);
        }
        _ => {}
    }
    let store = Arc::new(Store::open(&paths.db_path())?);
    match command {
        Command::Inventory(InventoryCommand::List { json, search, env }) => {
            let filter = InventoryFilter {
                search: search.clone().unwrap_or_default(),
                environment: env.map(Into::into),
                ..Default::default()
            };
            let view = inventory::list(&store, &filter)?;
            if *json {
                let text = serde_json::to_string_pretty(&view.commons).expect("commons serialize");
                writeln!(out, "{text}").map_err(write_err)?;
            } else {
                write_table(&view.commons, view.total, out).map_err(write_err)?;
            }
        }
        Command::Credentials(CredentialsCommand::Import { file, commons }) => {
            let view = import_key(&store, file, commons.as_deref())?;
            writeln!(
                out,
                "Stored the API key ending in {} for {} ({}); it expires {} ({}).",
                view.info.ends_with,
                view.commons_name,
                view.base_url,
                days_phrase(view.info.expires_at),
                crate::dates::utc(view.info.expires_at * 1000)
            )
            .map_err(write_err)?;
        }
        Command::Credentials(CredentialsCommand::List { json }) => {
            let views = crate::vault::Vault::new().list(&store)?;
            if *json {
                let text = serde_json::to_string_pretty(&views).expect("credentials serialize");
                writeln!(out, "{text}").map_err(write_err)?;
            } else {
                write_credentials(&views, out).map_err(write_err)?;
            }
        }
        Command::Inventory(InventoryCommand::Export { file }) => {
            let s = transfer::export_to(&store, file)?;
            writeln!(out, "Exported {} commons and {} meshes to {}.", s.commons, s.meshes, s.path)
                .map_err(write_err)?;
        }
        Command::Sweep { json } => {
            let report = run_sweep(&store)?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report).expect("report serializes"))
                    .map_err(write_err)?;
            } else {
                writeln!(out, "Checked {} commons ({} reachable).", report.probed, report.reachable)
                    .map_err(write_err)?;
                for n in crate::monitor::notify::notices(&report) {
                    writeln!(out, "- {}: {}", shown(&n.title, LINE_CHARS), shown(&n.body, LINE_CHARS))
                        .map_err(write_err)?;
                }
                write_status(&monitor::views::fleet(&store, &InventoryFilter::default())?, out).map_err(write_err)?;
            }
        }
        Command::Activity { json, commons, limit } => {
            let filter = ActivityFilter { commons_id: commons.clone(), kind: None, limit: Some(*limit) };
            let entries = activity::list(&store, &filter)?;
            if *json {
                write!(out, "{}", activity::to_json_lines(&entries)).map_err(write_err)?;
            } else {
                write_activity(&entries, out).map_err(write_err)?;
            }
        }
        Command::Status { json } => {
            let view = monitor::views::fleet(&store, &InventoryFilter::default())?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&view).expect("view serializes"))
                    .map_err(write_err)?;
            } else {
                write_status(&view, out).map_err(write_err)?;
            }
        }
        Command::Commons(CommonsCommand::Import { path, answers_out }) => {
            let text = commons_import(&store, path, answers_out.as_deref())?;
            writeln!(out, "{text}").map_err(write_err)?;
        }
        Command::Commons(CommonsCommand::Check { .. } | CommonsCommand::Render { .. })
        | Command::Mesh(_)
        | Command::Diagnostics { .. } => {}
        Command::Team(command) => {
            let text = team_command(&store, command)?;
            writeln!(out, "{text}").map_err(write_err)?;
        }
        Command::Webhook(command) => {
            let text = webhook_command(&store, command)?;
            writeln!(out, "{text}").map_err(write_err)?;
        }
        Command::Serve { metrics, interval } => {
            let options = crate::metrics::serve::ServeOptions {
                addr: *metrics,
                interval: interval.map(std::time::Duration::from_secs),
                sweep: monitor::sweep::SweepOptions::default(),
            };
            let vault = Arc::new(crate::vault::Vault::new());
            let stop = tokio_util::sync::CancellationToken::new();
            runtime()?.block_on(crate::metrics::serve::serve(store, vault, options, stop, |bound| {
                let _ = writeln!(out, "Serving metrics on http://{bound}/metrics");
                let _ = out.flush();
            }))?;
            return Ok(());
        }
        Command::Inventory(InventoryCommand::Import { file }) => {
            let s = transfer::import_from(&store, file)?;
            writeln!(
                out,
                "Imported {}: {} added, {} updated, {} meshes.",
                file.display(),
                s.added,
                s.updated,
                s.meshes
            )
            .map_err(write_err)?;
        }
    }
    Ok(())
}

/// Imports a commons into the inventory and a draft (the use case the window runs too), and
/// writes its answers to `answers_out` when given; returns what to print.
pub(crate) fn commons_import(
    store: &Store,
    path: &std::path::Path,
    answers_out: Option<&std::path::Path>,
) -> CoreResult<String> {
    let result = crate::usecases::import_commons(store, path)?;
    let imported = &result.imported;
    let mut lines = vec![format!("Read {}: {}.", path.display(), imported.summary)];
    for w in &imported.warnings {
        lines.push(format!("warning: {}", w.message));
    }
    if let Some(file) = answers_out {
        let text = serde_yaml_ng::to_string(&imported.answers).map_err(|e| {
            crate::error::CoreError::invalid(format!("The answers could not be written as YAML ({e})."))
        })?;
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        crate::deploy::output::write_atomically(
            folder,
            &[crate::deploy::GeneratedFile { path: name, contents: text }],
        )?;
        lines.push(format!("Wrote the imported answers to {} (render them with `commons render`).", file.display()));
    }
    match (&result.commons, &result.draft) {
        (Some(c), Some(draft)) => {
            lines.push(format!("{} ({}) is in the inventory.", c.draft.name, c.draft.base_url));
            lines.push(format!("Saved as wizard draft {} to edit and re-launch in the window.", draft.id));
        }
        _ => match crate::deploy::import_report::hostname_problem(imported) {
            Some(problem) => return Err(problem),
            None => lines.push("Nothing added to the inventory (not a commons).".into()),
        },
    }
    Ok(lines.join("\n"))
}

fn write_table(commons: &[crate::model::Commons], total: u32, out: &mut dyn Write) -> std::io::Result<()> {
    if total == 0 {
        return writeln!(out, "The inventory is empty. Add a commons in the app, or: gen3-csoc inventory import FILE");
    }
    if commons.is_empty() {
        return writeln!(out, "No commons match ({total} in the inventory).");
    }
    let rows: Vec<[String; 6]> = commons
        .iter()
        .map(|c| {
            let env = match c.draft.environment {
                Environment::Production => "PROD".to_string(),
                other => other.as_str().to_string(),
            };
            [
                shown(&c.draft.name, CELL_CHARS),
                shown(c.host(), CELL_CHARS),
                env,
                c.draft.relation.as_str().replace('_', " "),
                shown(c.draft.expected_release.as_deref().unwrap_or("-"), CELL_CHARS),
                shown(&c.draft.tags.join(","), CELL_CHARS),
            ]
        })
        .collect();
    let header = ["NAME", "HOST", "ENV", "RELATION", "RELEASE", "TAGS"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(&header))?;
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cells))?;
    }
    Ok(())
}

fn collect_diagnostics(paths: &AppPaths, file: &std::path::Path) -> CoreResult<String> {
    let db = paths.db_path();
    let store = Store::open(&db);
    let vault = crate::vault::Vault::new();
    let facts = runtime()?.block_on(crate::diagnostics::gather(&db, store.as_ref(), &vault, &paths.log_dir));
    let summary = crate::diagnostics::collect(&facts, store.as_ref().ok(), &paths.log_dir, file)?;
    let mut lines = vec![format!("Wrote {} ({} bytes): {}.", summary.path, summary.bytes, summary.entries.join(", "))];
    lines.push(format!(
        "Cache: quick_check {}, schema {} of {}{}.",
        facts.cache.quick_check,
        facts.cache.schema_version,
        facts.cache.latest_schema,
        facts.cache.error.as_deref().map(|e| format!(" ({})", shown(e, LINE_CHARS))).unwrap_or_default()
    ));
    lines.push(match &facts.keyring.problem {
        None => format!("Keyring ({}): reachable.", facts.keyring.backend),
        Some(p) => format!("Keyring ({}): {}", facts.keyring.backend, shown(p, LINE_CHARS)),
    });
    let unreachable: Vec<String> = facts
        .commons
        .iter()
        .filter(|c| !c.reachable)
        .map(|c| format!("{} ({})", shown(&c.name, CELL_CHARS), c.detail))
        .collect();
    lines.push(format!(
        "{} of {} commons reachable{}",
        facts.commons.len() - unreachable.len(),
        facts.commons.len(),
        if unreachable.is_empty() { ".".to_string() } else { format!("; not: {}.", unreachable.join(", ")) }
    ));
    Ok(lines.join("\n"))
}

fn team_command(store: &Store, command: &TeamCommand) -> CoreResult<String> {
    use crate::team;
    match command {
        TeamCommand::Join { repo, folder, name, email } => {
            let request = team::TeamJoin {
                repo: repo.clone(),
                folder: Some(folder.clone()),
                name: name.clone(),
                email: email.clone(),
            };
            team::cli::sync_text(team::join(store, &request)?)
        }
        TeamCommand::Sync => team::cli::sync_text(team::sync(store)?),
        TeamCommand::Status { json } => {
            let status = team::status(store)?;
            Ok(if *json {
                serde_json::to_string_pretty(&status).expect("status serializes")
            } else {
                team::cli::status_text(&status)
            })
        }
        TeamCommand::Resolve { kind, key, field, keep } => {
            let keep = match keep {
                KeepArg::Mine => team::Keep::Mine,
                KeepArg::Theirs => team::Keep::Theirs,
            };
            team::resolve(
                store,
                &team::TeamResolve { kind: kind.clone(), key: key.clone(), field: field.clone(), keep },
            )?;
            Ok("Resolved. The next `gen3-csoc team sync` shares the value you kept.".into())
        }
    }
}

fn runtime() -> CoreResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| {
        crate::error::CoreError::new(crate::error::ErrorCode::Io, format!("Could not start the network runtime: {e}."))
    })
}

/// Sweeps once and records it (the sweep use case); the webhooks are sent before the command exits
/// (their retries are bounded).
fn run_sweep(store: &Arc<Store>) -> CoreResult<SweepReport> {
    let runtime = runtime()?;
    let vault = Arc::new(crate::vault::Vault::new());
    let options = crate::monitor::sweep::SweepOptions::default();
    let sweep =
        crate::usecases::sweep(store.clone(), vault, monitor::SweepScope::All, &options, Default::default(), |_| {});
    let (report, deliveries) = runtime.block_on(sweep)?;
    if let Some(deliveries) = deliveries {
        for d in runtime.block_on(deliveries).unwrap_or_default() {
            if !d.delivered {
                tracing::warn!(kind = %d.kind, attempts = d.attempts, "webhook not delivered");
            }
        }
    }
    Ok(report)
}

fn webhook_command(store: &Store, command: &WebhookCommand) -> CoreResult<String> {
    use crate::webhooks;
    let vault = crate::vault::Vault::new();
    match command {
        WebhookCommand::Set { kind } => {
            let mut url = String::new();
            std::io::stdin().read_line(&mut url).map_err(|e| {
                crate::error::CoreError::io("read the webhook URL from", std::path::Path::new("stdin"), &e)
            })?;
            let url = crate::secret::Secret::new(crate::secret::SecretKind::WebhookUrl, url);
            webhooks::set(store, &vault, (*kind).into(), Some(&url))?;
            Ok("Stored the webhook URL in the vault; changes and expiry alerts go there after each sweep.".into())
        }
        WebhookCommand::Clear { kind } => {
            webhooks::set(store, &vault, (*kind).into(), None)?;
            Ok("Removed the webhook.".into())
        }
        WebhookCommand::List => {
            let kinds: Vec<&str> = webhooks::configured(store, &vault)?.iter().map(|k| k.as_str()).collect();
            Ok(if kinds.is_empty() {
                "No webhook is set. Add one with: echo URL | gen3-csoc webhook set slack".into()
            } else {
                format!("Webhooks: {}", kinds.join(", "))
            })
        }
    }
}

/// Stores a credentials.json read from `file`, for `commons` when given (which must be the commons
/// that issued the key), else for the inventory commons its `iss` names.
fn import_key(
    store: &Store,
    file: &std::path::Path,
    commons: Option<&str>,
) -> CoreResult<crate::vault::CredentialView> {
    use crate::keys::{self, KeySource};
    let vault = crate::vault::Vault::new();
    let source = KeySource::File { path: file.to_string_lossy().into_owned() };
    let Some(id) = commons else {
        return keys::import(&vault, store, &source, None, &keys::gen3_profile_dir());
    };
    let out = import_key_for(&vault, store, &source, id);
    keys::noted_import(store, &out);
    out
}

fn import_key_for(
    vault: &crate::vault::Vault,
    store: &Store,
    source: &crate::keys::KeySource,
    id: &str,
) -> CoreResult<crate::vault::CredentialView> {
    use crate::keys;
    let target = inventory::get(store, id)?;
    let key = keys::read_source(source, &keys::gen3_profile_dir())?;
    if key.info.commons_url != target.draft.base_url {
        return Err(crate::error::CoreError::invalid(format!(
            "This key was issued by {}, not by {} ({}): a key only works with the commons that issued it.",
            key.info.commons_url, target.draft.name, target.draft.base_url
        )));
    }
    vault.store_key(store, &target.id, &key)
}

/// "in 12 days", "today", "3 days ago".
fn days_phrase(unix_secs: i64) -> String {
    match (unix_secs - crate::model::now_ms() / 1000).div_euclid(86_400) {
        0 => "within a day".into(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

fn write_activity(entries: &[ActivityEntry], out: &mut dyn Write) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "No activity is recorded yet (or none matches).");
    }
    for e in entries {
        let commons = e.commons_name.as_deref().map(|n| format!(" [{}]", shown(n, CELL_CHARS))).unwrap_or_default();
        let result = match e.result {
            ActivityResult::Ok => "",
            ActivityResult::Failed => " FAILED",
            ActivityResult::Cancelled => " CANCELLED",
        };
        writeln!(
            out,
            "{}  {:<16} {:<16}{commons}{result} {}",
            crate::dates::utc(e.at),
            shown(&e.user, 16),
            e.kind.as_str(),
            shown(&e.summary, LINE_CHARS)
        )?;
    }
    Ok(())
}

fn write_credentials(views: &[crate::vault::CredentialView], out: &mut dyn Write) -> std::io::Result<()> {
    if views.is_empty() {
        return writeln!(out, "No API keys are stored. Add one with: gen3-csoc credentials import credentials.json");
    }
    writeln!(out, "{:<28} {:<36} {:<6} {:<16} STATUS", "COMMONS", "URL", "KEY", "EXPIRES")?;
    for v in views {
        let status =
            serde_json::to_value(v.status).ok().and_then(|s| s.as_str().map(str::to_string)).unwrap_or_default();
        writeln!(
            out,
            "{:<28} {:<36} …{:<5} {:<16} {status}",
            v.commons_name,
            v.base_url,
            v.info.ends_with,
            days_phrase(v.info.expires_at)
        )?;
    }
    Ok(())
}

fn write_status(view: &FleetView, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &view.summary;
    let as_of = view
        .freshness
        .last_successful
        .map_or("never checked".to_string(), |t| format!("as of {}", crate::dates::utc(t)));
    writeln!(
        out,
        "{} commons, {as_of}: {} down, {} unreachable from here, {} degraded, {} services down, {} certificates expire within 14 days, {} expired, {} API keys expired, {} on another release.",
        s.commons, s.commons_down, s.unreachable_here, s.commons_degraded, s.services_down, s.certs_expiring, s.certs_expired, s.keys_expired, s.drifting
    )?;
    if view.offline {
        let why = shown(view.freshness.last_error.as_deref().unwrap_or(""), LINE_CHARS);
        writeln!(out, "The last sweep reached no commons: {why}")?;
    }
    for row in &view.rows {
        let prod = if row.commons.draft.environment == Environment::Production { "PROD " } else { "" };
        let problems: Vec<String> = row
            .services
            .iter()
            .filter(|sv| {
                matches!(sv.state, monitor::probe::ServiceState::Down | monitor::probe::ServiceState::Degraded)
            })
            .map(|sv| format!("{} {}", shown(&sv.service, CELL_CHARS), sv.state.as_str()))
            .chain(row.error.as_deref().map(|e| shown(e, LINE_CHARS)))
            .chain(row.key_error.as_ref().map(|e| format!("API key: {}", shown(e, LINE_CHARS))))
            .collect();
        let overall = if row.unreachable_here { "unreachable from here" } else { row.overall.as_str() };
        writeln!(
            out,
            "{prod}{} ({}): {overall} {}",
            shown(&row.commons.draft.name, CELL_CHARS),
            shown(row.commons.host(), CELL_CHARS),
            problems.join("; ")
        )?;
    }
    Ok(())
}
