//! Starting to listen: the address in use gets a plain answer, and a `--listen` that no longer
//! matches `server.base_url` gets a warning, because every link in mail and feeds is built from
//! `base_url` and would point at a port nobody is serving.

use std::net::{IpAddr, SocketAddr};

/// Why `base_url` does not reach `listen`, when it plainly cannot. A base URL with a public name
/// is taken to be behind a proxy that forwards to `listen`, so only a loopback or literal-address
/// base URL is compared.
pub fn base_url_mismatch(listen: &str, base_url: &str) -> Option<String> {
    let listen: SocketAddr = listen.parse().ok()?;
    let url = url::Url::parse(base_url).ok()?;
    let port = url.port_or_known_default()?;
    let host = match url.host()? {
        url::Host::Domain(d) if d.eq_ignore_ascii_case("localhost") => IpAddr::from([127, 0, 0, 1]),
        url::Host::Domain(_) => return None,
        url::Host::Ipv4(a) => IpAddr::V4(a),
        url::Host::Ipv6(a) => IpAddr::V6(a),
    };
    let same_host = listen.ip().is_unspecified()
        || listen.ip() == host
        || (listen.ip().is_loopback() && host.is_loopback());
    (port != listen.port() || !same_host).then(|| {
        format!(
            "server.base_url is {base_url} but Beacon listens on {listen}: links in emails and feeds will point to {base_url}, where nothing answers. Set server.base_url (BEACON_SERVER__BASE_URL) to the address people use, e.g. http://{listen}"
        )
    })
}

/// The error to show when binding `listen` failed.
pub fn bind_error(listen: &str, e: &std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        anyhow::anyhow!(
            "cannot listen on {listen}: the address is already in use (is another beacon running?). Stop the other program, or choose a free port with `beacon serve --listen 127.0.0.1:8081` and set server.base_url to match"
        )
    } else {
        anyhow::anyhow!("cannot listen on {listen}: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_port_is_named_and_a_proxied_name_is_not() {
        let warn = base_url_mismatch("127.0.0.1:9000", "http://127.0.0.1:8080").unwrap();
        assert!(warn.contains("127.0.0.1:9000") && warn.contains("http://127.0.0.1:8080"));
        assert!(base_url_mismatch("127.0.0.1:8080", "http://127.0.0.1:8080").is_none());
        assert!(base_url_mismatch("127.0.0.1:8080", "http://localhost:8080/").is_none());
        assert!(base_url_mismatch("0.0.0.0:8080", "http://192.0.2.7:8080").is_none());
        assert!(base_url_mismatch("127.0.0.1:8080", "http://192.0.2.7:8080").is_some());
        assert!(base_url_mismatch("127.0.0.1:8080", "https://alerts.example.org").is_none());
    }

    #[test]
    fn an_address_in_use_suggests_listen() {
        let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        let msg = bind_error("127.0.0.1:8080", &e).to_string();
        assert!(
            msg.contains("already in use") && msg.contains("--listen"),
            "{msg}"
        );
    }
}
