//! Cursor pagination for every list: an opaque `cursor` (the key of the last item shown),
//! a bounded `limit`, and `next`, the cursor of the following page when there is one.

use crate::web::{Error, Explain};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page one request may ask for.
pub const MAX_LIMIT: u32 = 200;

/// Which page of a list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` of the previous page; absent for the first page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Items per page (1 to 200; 50 when absent).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page size asked for, or why it cannot be served.
    pub fn limit(&self) -> crate::web::Result<usize> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT as usize),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n as usize),
            Some(n) => Err(Error::BadRequest(Explain::new(
                "That page size cannot be served",
                format!("`limit` must be from 1 to {MAX_LIMIT}; {n} was asked for."),
            ))),
        }
    }

    /// The key of the last item already seen, if this is not the first page.
    pub fn after(&self) -> crate::web::Result<Option<String>> {
        self.cursor.as_deref().map(decode).transpose()
    }
}

fn bad_cursor() -> Error {
    Error::BadRequest(Explain::new(
        "That cursor is not one we gave",
        "Use the `next` value of a previous page as `cursor`, unchanged, or leave it out for the first page.",
    ))
}

/// Opaque to clients, so the key's shape can change without breaking them.
pub fn encode(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{key}"))
}

fn decode(cursor: &str) -> crate::web::Result<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    text.strip_prefix("v1:")
        .map(str::to_string)
        .ok_or_else(bad_cursor)
}

/// One page of `items` sorted by `key` (ascending, unique): those after the cursor's key, and the
/// cursor of the next page when more remain.
pub fn slice<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    q: &PageQuery,
) -> crate::web::Result<(Vec<T>, Option<String>)> {
    let limit = q.limit()?;
    let after = q.after()?;
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|t| after.as_deref().is_none_or(|a| key(t).as_str() > a))
        .collect();
    let next = (rest.len() > limit).then(|| encode(&key(&rest[limit - 1])));
    rest.truncate(limit);
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(cursor: Option<String>, limit: u32) -> PageQuery {
        PageQuery {
            cursor,
            limit: Some(limit),
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let items: Vec<String> = (0..5).map(|i| format!("k{i}")).collect();
        let (first, next) = slice(items.clone(), String::clone, &q(None, 2)).unwrap();
        assert_eq!(first, ["k0", "k1"]);
        let (second, next) = slice(items.clone(), String::clone, &q(next, 2)).unwrap();
        assert_eq!(second, ["k2", "k3"]);
        let (last, next) = slice(items, String::clone, &q(next, 2)).unwrap();
        assert_eq!(last, ["k4"]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_forged_cursor_or_a_limit_out_of_bounds_is_the_callers_mistake() {
        let items = vec!["a".to_string()];
        for bad in [
            q(Some("!!".into()), 1),
            q(Some(URL_SAFE_NO_PAD.encode("x")), 1),
            q(None, 0),
            q(None, MAX_LIMIT + 1),
        ] {
            let e = slice(items.clone(), String::clone, &bad).unwrap_err();
            assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
        }
    }
}
