//! Protections shared by every form: refusing cross-site posts, and limiting posts per client.

use super::{AppState, pages};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

/// Refuses a state-changing request that a browser says came from another site.
///
/// Browsers send `Origin` on every cross-site POST; scripts and mail clients (RFC 8058 one-click
/// unsubscribe) send none, and are let through: for them there is no victim's session to ride.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || origin_allowed(req.headers(), state.base_url())
    {
        return next.run(req).await;
    }
    pages::problem(
        StatusCode::FORBIDDEN,
        "This form was sent from another website",
        "For your safety we only accept forms sent from this website. Go to the home page and try again there.",
    )
}

fn origin_allowed(headers: &HeaderMap, base_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v != "cross-site");
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin.eq_ignore_ascii_case(&origin_of(base_url)) {
        return true;
    }
    // Same host the request was sent to (a deployment reached by more than one name), over the
    // same scheme as `base_url`: a page on plain http must not post to the https site.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let scheme = url::Url::parse(base_url).map(|u| u.scheme().to_string());
    match (url::Url::parse(origin), host) {
        (Ok(o), Some(host)) if scheme.as_deref() == Ok(o.scheme()) => {
            let authority = match o.port() {
                Some(p) => format!("{}:{p}", o.host_str().unwrap_or_default()),
                None => o.host_str().unwrap_or_default().to_string(),
            };
            authority.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

fn origin_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// The peer address when the server was started with connect info; `None` in bare routers.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client's address: the connection's peer, or behind our own proxy (`trust_forwarded_for`)
/// the last `X-Forwarded-For` hop, the one that proxy added; earlier hops are the client's say-so.
pub fn client_ip(headers: &HeaderMap, peer: &Peer, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer.0.map(|a| a.ip())
}

/// Counts requests per client address within an hour.
pub struct PerIpLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl PerIpLimit {
    pub fn new(per_hour: u32) -> Self {
        PerIpLimit {
            limiter: NonZeroU32::new(per_hour).map(|n| RateLimiter::keyed(Quota::per_hour(n))),
        }
    }

    /// `true` if this client may go ahead; counts the request.
    pub fn check(&self, ip: Option<IpAddr>) -> bool {
        let Some(l) = &self.limiter else {
            return true;
        };
        // Forget quiet clients so the table does not grow without bound.
        if l.len() > 10_000 {
            l.retain_recent();
        }
        l.check_key(&ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
            .is_ok()
    }
}

pub fn too_many() -> Response {
    let mut r = pages::problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-ups from your connection",
        "We have had a lot of sign-ups from your internet connection in the last hour. Please wait an hour and try again.",
    );
    r.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from_static("3600"),
    );
    r.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn posts_from_our_own_pages_and_from_scripts_are_allowed() {
        let base = "https://alerts.example.org";
        assert!(origin_allowed(&headers(&[]), base));
        assert!(origin_allowed(
            &headers(&[("origin", "https://alerts.example.org")]),
            base
        ));
        assert!(origin_allowed(
            &headers(&[
                ("origin", "https://beacon.internal:9000"),
                ("host", "beacon.internal:9000")
            ]),
            base
        ));
    }

    #[test]
    fn an_origin_on_the_right_host_with_the_wrong_scheme_is_refused() {
        let base = "https://alerts.example.org";
        assert!(!origin_allowed(
            &headers(&[
                ("origin", "http://alerts.example.org"),
                ("host", "alerts.example.org")
            ]),
            base
        ));
        assert!(!origin_allowed(
            &headers(&[("origin", "http://alerts.example.org:443")]),
            base
        ));
    }

    #[test]
    fn posts_from_other_sites_are_refused() {
        let base = "https://alerts.example.org";
        assert!(!origin_allowed(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "alerts.example.org")
            ]),
            base
        ));
        assert!(!origin_allowed(&headers(&[("origin", "null")]), base));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "cross-site")]),
            base
        ));
    }

    #[test]
    fn the_limit_is_per_client_address_and_trusts_only_our_proxys_hop() {
        let l = PerIpLimit::new(2);
        let a = client_ip(
            &headers(&[("x-forwarded-for", "10.0.0.1, 192.0.2.1")]),
            &Peer(None),
            true,
        );
        assert_eq!(a, "192.0.2.1".parse().ok());
        let b = client_ip(
            &headers(&[("x-forwarded-for", "192.0.2.2")]),
            &Peer(None),
            true,
        );
        assert!(l.check(a) && l.check(a));
        assert!(!l.check(a));
        assert!(l.check(b));
        let untrusted = client_ip(
            &headers(&[("x-forwarded-for", "192.0.2.9")]),
            &Peer(None),
            false,
        );
        assert_eq!(untrusted, None);
    }
}
