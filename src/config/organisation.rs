//! `[organisation]`: who runs this Beacon. The footer, the home page, the privacy notice and the
//! accessibility statement name these bodies, so a partnership that changes shape (as Chiltern
//! and South Bucks did when Buckinghamshire Council replaced the county and district councils
//! in April 2020) changes one file, not the templates.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationConfig {
    /// The partnership's name, as residents know it.
    pub name: String,
    /// The area it covers, in words ("Chiltern and South Bucks").
    pub area: String,
    /// Member bodies, in the order the footer lists them.
    pub partners: Vec<String>,
    /// The data controller for residents' details (UK GDPR Article 4(7)).
    pub data_controller: String,
    /// Where residents write about their data; the controller's data protection officer.
    pub data_protection_email: String,
    /// The team residents contact about the service and its accessibility.
    pub contact_team: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_address: String,
    /// An image file (PNG, SVG, JPEG or WebP) served from this site as `/organisation/logo`:
    /// the Content Security Policy allows no image from elsewhere.
    pub logo_path: Option<PathBuf>,
    /// The logo's text alternative (usually the organisation's name).
    pub logo_alt: String,
    /// The last date the accessibility statement was reviewed (`YYYY-MM-DD`).
    pub accessibility_reviewed: String,
}

impl Default for OrganisationConfig {
    fn default() -> Self {
        OrganisationConfig {
            name: "Chiltern and South Bucks Community Safety Partnership".into(),
            area: "Chiltern and South Bucks".into(),
            partners: [
                "Thames Valley Police",
                "Buckinghamshire Council",
                "Buckinghamshire Fire & Rescue Service",
                "NHS Buckinghamshire, Oxfordshire and Berkshire West Integrated Care Board",
                "The Probation Service",
                "local housing associations",
            ]
            .map(String::from)
            .to_vec(),
            data_controller: "Buckinghamshire Council".into(),
            data_protection_email: "dataprotection@buckinghamshire.gov.uk".into(),
            contact_team: "Community Safety Team, Buckinghamshire Council".into(),
            contact_email: "communitysafety@buckinghamshire.gov.uk".into(),
            contact_phone: "01296 395000".into(),
            contact_address:
                "Buckinghamshire Council, The Gateway, Gatehouse Road, Aylesbury, HP19 8FF".into(),
            logo_path: None,
            logo_alt: String::new(),
            accessibility_reviewed: "2026-11-26".into(),
        }
    }
}

impl OrganisationConfig {
    /// The partners as one English list: "A, B and C".
    pub fn partner_list(&self) -> String {
        match self.partners.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }

    /// The media type of the configured logo, from its extension; `None` when there is no
    /// logo or its kind is not one browsers show.
    pub fn logo_type(&self) -> Option<&'static str> {
        let ext = self.logo_path.as_ref()?.extension()?.to_str()?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "png" => "image/png",
            "svg" => "image/svg+xml",
            "jpg" | "jpeg" => "image/jpeg",
            "webp" => "image/webp",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_name_todays_bodies_not_the_councils_abolished_in_2020() {
        let o = OrganisationConfig::default();
        let list = o.partner_list();
        assert!(list.contains("Buckinghamshire Council"), "{list}");
        assert!(!list.contains("District Council") && !list.contains("County Council"));
        assert!(list.ends_with(" and local housing associations"), "{list}");
        assert_eq!(o.data_controller, "Buckinghamshire Council");
        assert_eq!(o.logo_type(), None);
    }

    #[test]
    fn a_logo_is_served_only_as_an_image_browsers_show() {
        let mut o = OrganisationConfig {
            logo_path: Some("branding/Logo.SVG".into()),
            ..Default::default()
        };
        assert_eq!(o.logo_type(), Some("image/svg+xml"));
        o.logo_path = Some("logo.exe".into());
        assert_eq!(o.logo_type(), None);
    }
}
