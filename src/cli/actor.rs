//! Who ran a command, for the audit log: `cli:` and the operating-system account (`cli:alice`),
//! so a send or an import from a terminal is as traceable as one from the console.

/// `cli:NAME` for the account running this process; `cli:unknown` if the system will not say.
pub fn actor() -> String {
    let name = whoami::fallible::username()
        .ok()
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("cli:{name}")
}

/// Records a command-line action in the audit log.
pub async fn audit(
    s: &crate::app::Services,
    action: &str,
    detail: Option<&str>,
) -> anyhow::Result<()> {
    s.store
        .audit(None, &actor(), action, detail, None, chrono::Utc::now())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_actor_names_the_account() {
        let a = super::actor();
        assert!(a.starts_with("cli:") && a.len() > 4, "{a}");
    }
}
