//! `beacon users reset-password | unlock | enable`: an administrator's help for a member of
//! staff who is locked out, forgot their password, or left and came back. Each is audited.

use crate::app::Services;
use crate::auth::password;
use crate::domain::Email;
use anyhow::bail;
use chrono::Utc;

/// The address as `beacon users add` stored it (domain in lower case).
fn normalised(email: &str) -> String {
    Email::parse(email).map_or_else(|_| email.trim().to_string(), |e| e.as_str().to_string())
}

async fn audited(s: &Services, action: &str, email: &str) -> anyhow::Result<()> {
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            action,
            Some(email),
            None,
            Utc::now(),
        )
        .await?;
    Ok(())
}

pub async fn reset_password(s: &Services, email: &str) -> anyhow::Result<bool> {
    let email = normalised(email);
    let once = password::generate();
    let hash = password::hash(&once).map_err(|e| anyhow::anyhow!("cannot hash: {e}"))?;
    if !s.store.reset_password(&email, &hash).await? {
        bail!("no user {email}");
    }
    audited(s, "user.reset_password", &email).await?;
    println!(
        "{email}: sessions ended; the password below works for one sign-in, which asks them to choose their own"
    );
    println!("new one-time password (shown once; give it to them securely): {once}");
    Ok(true)
}

pub async fn unlock(s: &Services, email: &str) -> anyhow::Result<bool> {
    let email = normalised(email);
    if !s.store.unlock_user(&email).await? {
        bail!("no user {email}");
    }
    audited(s, "user.unlock", &email).await?;
    println!("unlocked {email}");
    Ok(true)
}

pub async fn enable(s: &Services, email: &str) -> anyhow::Result<bool> {
    let email = normalised(email);
    if !s.store.enable_user(&email).await? {
        bail!("no user {email}");
    }
    audited(s, "user.enable", &email).await?;
    println!("enabled {email}; they can sign in again");
    Ok(true)
}
