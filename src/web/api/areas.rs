//! `GET /api/v1/areas`: the areas residents can follow, with where their feeds are.

use super::page::{PageQuery, slice};
use crate::web::AppState;
use axum::Json;
use axum::extract::State;
use axum_extra::extract::Query;

/// One area's feeds.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AreaFeeds {
    /// Atom 1.0.
    pub atom: String,
    /// RSS 2.0.
    pub rss: String,
    /// CAP 1.2 alerts, as an Atom index.
    pub cap: String,
}

/// An area residents can follow.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AreaView {
    /// The name used in URLs and campaign files.
    #[schema(example = "chesham")]
    pub slug: String,
    /// The name shown to people.
    pub name: String,
    /// `chiltern` or `south-bucks`.
    #[schema(example = "chiltern")]
    pub district: String,
    /// Households, when known.
    pub households: Option<u32>,
    /// The postcode sectors it covers.
    #[schema(example = json!(["HP5 1"]))]
    pub postcodes: Vec<String>,
    /// Codes of the council wards it lies in.
    pub wards: Vec<String>,
    /// Its alert feeds.
    pub feeds: AreaFeeds,
}

/// A page of areas, by slug.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AreaPage {
    pub items: Vec<AreaView>,
    /// The `cursor` for the next page; absent on the last.
    pub next: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/areas",
    operation_id = "listAreas",
    tag = "areas",
    params(PageQuery),
    responses((status = 200, description = "Areas, by slug", body = AreaPage))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> crate::web::Result<Json<AreaPage>> {
    let cal = state.calendar.get();
    let base = state.base_url();
    let mut areas: Vec<AreaView> = cal
        .areas
        .iter()
        .map(|a| AreaView {
            slug: a.slug.clone(),
            name: a.name.clone(),
            district: a.district.to_string(),
            households: a.households,
            postcodes: a.postcodes.iter().map(ToString::to_string).collect(),
            wards: a.wards.clone(),
            feeds: AreaFeeds {
                atom: format!("{base}/feeds/{}/atom.xml", a.slug),
                rss: format!("{base}/feeds/{}/rss.xml", a.slug),
                cap: format!("{base}/feeds/{}/cap.xml", a.slug),
            },
        })
        .collect();
    areas.sort_by(|a, b| a.slug.cmp(&b.slug));
    let (items, next) = slice(areas, |a| a.slug.clone(), &q)?;
    Ok(Json(AreaPage { items, next }))
}
