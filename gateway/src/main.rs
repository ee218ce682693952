//! `gateway [serve]` runs the portal's front door (settings from the environment, see the
//! README); `gateway audit [--patient ID] [--study UID] [--limit N] [--fhir]` prints the audit
//! trail of `DATABASE_URL` as JSON (FHIR AuditEvents with `--fhir`); `gateway emergency
//! [--limit N]` prints the emergency accesses ("bris de glace") for review, newest first.

use std::io::IsTerminal;
use std::process::ExitCode;

use gateway::audit::fhir_bundle;
use gateway::config::Config;
use gateway::state::AppState;
use gateway::store::Store;

const USAGE: &str = "usage: gateway [serve] | gateway audit [--patient ID] [--study UID] \
                     [--limit N] [--fhir] | gateway emergency [--limit N]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATEWAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal, plain text for a log file.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("audit") => audit(&config, &args[1..]).await,
        Some("emergency") => emergency(&config, &args[1..]).await,
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    if config.dev_login {
        let bar = "!".repeat(78);
        tracing::warn!("{bar}");
        tracing::warn!(
            "DEVELOPMENT LOGIN ENABLED: anyone who reaches {} is a clinician.",
            config.listen
        );
        tracing::warn!("Never use it with real patients' data (unset GATEWAY_DEV_LOGIN).");
        tracing::warn!("{bar}");
    }
    if config.oidc.is_none() && !config.dev_login {
        tracing::warn!("no OIDC issuer configured: only share links can open studies");
    }
    let state = AppState::new(config).await.map_err(|e| e.to_string())?;
    tracing::info!("gateway listening on {}", state.config.listen);
    if state.config.sites.is_some() {
        // How the archive's studies fall to the sites, and how many to none (counts only).
        let counted = state.clone();
        tokio::spawn(async move {
            match gateway::reach::census(&counted).await {
                Ok(Some(c)) => tracing::info!(
                    "sites: {} studies read{}, by site {:?}, {} of no site (reached by nobody)",
                    c.studies,
                    if c.partial { " (the first ones)" } else { "" },
                    c.sites,
                    c.no_site
                ),
                Ok(None) => {}
                Err(_) => tracing::warn!("sites: the archive's studies could not be counted"),
            }
        });
    }
    let served = gateway::serve(state.clone()).await;
    // The failures still being counted get their row before the gateway ends.
    state.write_counted(true).await;
    served.map_err(|e| e.to_string())
}

async fn emergency(config: &Config, args: &[String]) -> Result<(), String> {
    let limit = match args {
        [] => 1000,
        [flag, n] if flag == "--limit" => n.parse().map_err(|_| USAGE)?,
        _ => return Err(USAGE.into()),
    };
    let store = Store::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let accesses = store
        .emergency_accesses(limit)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&accesses).map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn audit(config: &Config, args: &[String]) -> Result<(), String> {
    let (mut patient, mut study, mut limit, mut fhir) = (None, None, 1000, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--patient" => patient = it.next().cloned(),
            "--study" => study = it.next().cloned(),
            "--limit" => limit = it.next().and_then(|v| v.parse().ok()).ok_or(USAGE)?,
            "--fhir" => fhir = true,
            _ => return Err(USAGE.into()),
        }
    }
    let store = Store::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let events = store
        .audit_events(patient.as_deref(), study.as_deref(), limit)
        .await
        .map_err(|e| e.to_string())?;
    let out = if fhir {
        serde_json::to_string_pretty(&fhir_bundle(&events))
    } else {
        serde_json::to_string_pretty(&events)
    };
    println!("{}", out.map_err(|e| e.to_string())?);
    Ok(())
}
