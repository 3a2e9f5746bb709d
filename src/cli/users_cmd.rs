//! `beacon users`: staff accounts for the console, and API tokens for partners' scripts.

use crate::app::Services;
use crate::auth::password;
use crate::auth::token::{random_id, secret_hash};
use crate::domain::{Email, Role};
use anyhow::{Context, bail};
use chrono::Utc;

pub async fn add(s: &Services, email: &str, role: Role) -> anyhow::Result<bool> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
    let once = password::generate();
    let hash = password::hash(&once).map_err(|e| anyhow::anyhow!("cannot hash: {e}"))?;
    s.store
        .add_user_once(email.as_str(), &hash, role.as_str(), Utc::now())
        .await
        .with_context(|| format!("cannot add {email}"))?;
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            "user.add",
            Some(&format!("{email} as {role}")),
            None,
            Utc::now(),
        )
        .await?;
    println!("added {email} as {role}");
    println!("the password below works for one sign-in, which asks them to choose their own");
    println!("one-time password (shown once; give it to them securely): {once}");
    Ok(true)
}

pub async fn list(s: &Services) -> anyhow::Result<bool> {
    let users = s.store.users().await?;
    if users.is_empty() {
        println!("no users yet: add one with `beacon users add EMAIL --role admin`");
    }
    let mut table = super::human::table(&["email", "role", "state", "last sign-in (UK time)"]);
    for u in &users {
        table.add_row([
            u.email.clone(),
            u.role.to_string(),
            if u.disabled { "disabled" } else { "active" }.to_string(),
            u.last_login_at
                .map_or_else(|| "never".into(), super::human::when),
        ]);
    }
    if !users.is_empty() {
        println!("{}", super::human::show(&table));
    }
    Ok(true)
}

pub async fn disable(s: &Services, email: &str) -> anyhow::Result<bool> {
    if !s.store.set_user_disabled(email, true).await? {
        bail!("no user {email}");
    }
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            "user.disable",
            Some(email),
            None,
            Utc::now(),
        )
        .await?;
    println!("disabled {email}; their sessions have ended");
    Ok(true)
}

pub async fn token(s: &Services, name: &str, role: Role) -> anyhow::Result<bool> {
    let secret = format!("bcn_{}{}", random_id(), random_id());
    s.store
        .add_api_token(&secret_hash(&secret), name, role.as_str(), Utc::now())
        .await?;
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            "token.add",
            Some(&format!("{name} as {role}")),
            None,
            Utc::now(),
        )
        .await?;
    println!("API token for {name} ({role}), shown once:");
    println!("{secret}");
    Ok(true)
}

pub async fn tokens(s: &Services) -> anyhow::Result<bool> {
    let tokens = s.store.api_tokens().await?;
    if tokens.is_empty() {
        println!("no API tokens: make one with `beacon users token NAME`");
    }
    let mut table = super::human::table(&["name", "role", "made (UK time)", "state"]);
    for t in &tokens {
        table.add_row([
            t.name.clone(),
            t.role.to_string(),
            super::human::when(t.created_at),
            t.revoked_at.map_or_else(
                || "live".to_string(),
                |r| format!("revoked {}", super::human::when(r)),
            ),
        ]);
    }
    if !tokens.is_empty() {
        println!("{}", super::human::show(&table));
    }
    Ok(true)
}

pub async fn revoke(s: &Services, name: &str) -> anyhow::Result<bool> {
    if !s.store.revoke_api_token(name, Utc::now()).await? {
        bail!("no live API token named {name}; see `beacon users tokens`");
    }
    s.store
        .audit(
            None,
            &crate::cli::actor::actor(),
            "token.revoke",
            Some(name),
            None,
            Utc::now(),
        )
        .await?;
    println!("revoked the API token {name}; it no longer works");
    Ok(true)
}
