//! Recorded crime per area, month and police.uk category, and which months are held. An import
//! replaces each month it brings whole, in one transaction: nothing is counted twice and nothing
//! is half-applied.

use super::{BeginWrite, Result, SqlStore, StoreError, ms, with_pool};
use crate::domain::crime::{CrimeTable, Month};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Crimes of one category in one area and month.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CrimeRow {
    /// The area's slug.
    pub area_slug: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The police.uk category slug.
    pub category: String,
    /// How many.
    pub count: i64,
}

/// One month an import brings, and how many of the source's rows were of that month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Rows read for it (in or out of the areas).
    pub rows_read: i64,
}

impl SqlStore {
    /// Replaces every month in `months` with `counts` (which must only hold those months).
    pub async fn replace_crime_months(
        &self,
        months: &[ImportedMonth],
        counts: &[CrimeRow],
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            for m in months {
                sqlx::query("delete from crime_count where month = $1")
                    .bind(&m.month)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "insert into crime_month (month, source, rows_read, imported_at) values ($1, $2, $3, $4)
                     on conflict (month) do update set source = excluded.source,
                     rows_read = excluded.rows_read, imported_at = excluded.imported_at",
                )
                .bind(&m.month)
                .bind(source)
                .bind(m.rows_read)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for c in counts {
                let done = sqlx::query(
                    "insert into crime_count (area_id, month, category, count)
                     select area_id, $2, $3, $4 from area where slug = $1",
                )
                .bind(&c.area_slug)
                .bind(&c.month)
                .bind(&c.category)
                .bind(c.count)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    // Dropping the transaction rolls every month back.
                    return Err(StoreError::NotFound("area"));
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The months held, oldest first.
    pub async fn crime_months(&self) -> Result<Vec<String>> {
        with_pool!(&self.pool, p => {
            let rows = sqlx::query("select month from crime_month order by month")
                .fetch_all(p)
                .await?;
            rows.iter().map(|r| Ok(r.try_get("month")?)).collect()
        })
    }

    /// Every count of the given months.
    pub async fn crime_counts(&self, months: &[String]) -> Result<Vec<CrimeRow>> {
        if months.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(&self.pool, p => {
            let mut q = sqlx::QueryBuilder::new(
                "select a.slug as area_slug, c.month, c.category, c.count
                 from crime_count c join area a on a.area_id = c.area_id where c.month in ",
            );
            super::push_in!(q, months);
            q.push(" order by a.slug, c.month, c.category");
            Ok(q.build_query_as::<CrimeRow>().fetch_all(p).await?)
        })
    }

    /// The months held, and the counts of `months` (when none: the three latest months and the
    /// same three a year before, which is what campaign bodies quote).
    pub async fn crime_table(&self, months: Option<&[Month]>) -> Result<CrimeTable> {
        let covered: Vec<Month> = self
            .crime_months()
            .await?
            .iter()
            .filter_map(|m| m.parse().ok())
            .collect();
        let wanted: Vec<Month> = match months {
            Some(ms) => ms.to_vec(),
            None => CrimeTable::new(covered.iter().copied(), [])
                .last_3_months()
                .map(|ms| ms.iter().flat_map(|m| [*m, m.plus(-12)]).collect())
                .unwrap_or_default(),
        };
        let wanted: Vec<String> = wanted.iter().map(Month::to_string).collect();
        let rows = self.crime_counts(&wanted).await?;
        Ok(CrimeTable::new(
            covered,
            rows.into_iter()
                .map(|r| (r.area_slug, r.month, r.category, r.count)),
        ))
    }
}
