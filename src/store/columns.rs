//! How values sit in columns on both engines: times as bigint milliseconds, yes/no as 0/1,
//! lists as JSON text. Each newtype decodes through the engine's own `i64` or `String`, so
//! `FromRow` structs read them with `#[sqlx(try_from = "…")]` on either engine.

use chrono::{DateTime, TimeZone, Utc};

/// Gives a column newtype the SQL type of what it is stored as (`i64` or `String`), on either
/// engine, so only its `Decode` differs.
macro_rules! stored_as {
    ($name:ty, $base:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            $base: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <$base as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <$base as sqlx::Type<DB>>::compatible(ty)
            }
        }
    };
}

/// Milliseconds since the epoch: how every time is stored.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time; out-of-range values read as the epoch.
pub fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// A time as the database holds it (bigint milliseconds since the epoch), decoded on either
/// engine; rows read it with `#[sqlx(try_from = "Millis")]` into a `DateTime<Utc>` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub DateTime<Utc>);

impl From<Millis> for DateTime<Utc> {
    fn from(m: Millis) -> Self {
        m.0
    }
}

stored_as!(Millis, i64);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Millis
where
    i64: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Millis(from_ms(<i64 as sqlx::Decode<'r, DB>>::decode(
            value,
        )?)))
    }
}

/// A time that may be absent (`null`), read like [`Millis`] with
/// `#[sqlx(try_from = "MaybeMillis")]` into an `Option<DateTime<Utc>>` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaybeMillis(pub Option<DateTime<Utc>>);

impl From<MaybeMillis> for Option<DateTime<Utc>> {
    fn from(m: MaybeMillis) -> Self {
        m.0
    }
}

stored_as!(MaybeMillis, i64);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for MaybeMillis
where
    i64: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if value.is_null() {
            return Ok(MaybeMillis(None));
        }
        Ok(MaybeMillis(Some(from_ms(
            <i64 as sqlx::Decode<'r, DB>>::decode(value)?,
        ))))
    }
}

/// A yes/no stored as an integer (0 or 1) on both engines; rows read it with
/// `#[sqlx(try_from = "Flag")]` into a `bool` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> Self {
        f.0
    }
}

stored_as!(Flag, i64);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Flag
where
    i64: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Flag(<i64 as sqlx::Decode<'r, DB>>::decode(value)? != 0))
    }
}

/// A list of strings stored as JSON text (a run's areas and channels); rows read it with
/// `#[sqlx(try_from = "JsonList")]` into a `Vec<String>` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonList(pub Vec<String>);

impl From<JsonList> for Vec<String> {
    fn from(l: JsonList) -> Self {
        l.0
    }
}

stored_as!(JsonList, String);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for JsonList
where
    String: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
        Ok(JsonList(serde_json::from_str(&text)?))
    }
}

/// Reads a pipeline state stored as text (`SubscriberStatus`, `RunStatus`, …); a name we do not
/// know is corrupt data, not a panic.
pub(crate) fn state<T: TryFrom<String, Error = strum::ParseError>>(
    text: String,
) -> Result<T, super::StoreError> {
    let shown = text.clone();
    T::try_from(text).map_err(|_| super::StoreError::Corrupt(format!("unknown state `{shown}`")))
}
