//! A campaign file's `kind` and `question`: an ordinary message, or a feel-safe pulse survey
//! asking one question from the fixed bank (`domain::survey`).

use crate::domain::survey::Question;
use std::ops::Range;
use toml::Spanned;

/// The survey question, `None` for a message; mistakes go to `err` at their position.
pub(super) fn survey(
    kind: Option<&Spanned<String>>,
    question: Option<&Spanned<String>>,
    err: &mut impl FnMut(Range<usize>, String),
) -> Option<Question> {
    let is_survey = match kind.map(|k| (k.get_ref().as_str(), k.span())) {
        None | Some(("message", _)) => false,
        Some(("survey", _)) => true,
        Some((other, span)) => {
            err(
                span,
                format!("unknown kind `{other}`; use \"message\" (the default) or \"survey\""),
            );
            return None;
        }
    };
    match (is_survey, question) {
        (false, None) => None,
        (false, Some(q)) => {
            err(
                q.span(),
                "`question` belongs to a survey; add `kind = \"survey\"` or remove it".into(),
            );
            None
        }
        (true, None) => {
            let span = kind.map(Spanned::span).unwrap_or_default();
            err(
                span,
                format!(
                    "a survey needs a `question` from the bank: {}",
                    Question::known()
                ),
            );
            None
        }
        (true, Some(q)) => Question::parse(q.get_ref()).or_else(|| {
            err(
                q.span(),
                format!(
                    "unknown question `{}`; use one of {}",
                    q.get_ref(),
                    Question::known()
                ),
            );
            None
        }),
    }
}

/// A survey's answer links are personal, so it goes by e-mail only: never to feeds or partners.
pub(super) fn check_channels(
    survey: Option<Question>,
    channels: &Spanned<Vec<Spanned<String>>>,
    err: &mut impl FnMut(Range<usize>, String),
) {
    if survey.is_some() && channels.get_ref().iter().any(|c| c.get_ref() != "email") {
        err(
            channels.span(),
            "a survey goes by e-mail only: its answer links are each resident's own; use channels = [\"email\"]".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::calendar::diagnostic::Diagnostics;
    use crate::domain::survey::Question;
    use crate::domain::{Area, AreaDirectory, District, PostcodePrefix};
    use std::path::Path;

    const SURVEY: &str = "+++\ntitle = \"Pulse\"\npriority = \"fear-of-crime\"\nlead = \"Buckinghamshire Council\"\n\
        schedule = \"0 10 1 1,4,7,10 *\"\nareas = [\"all\"]\nchannels = [\"email\"]\nsubject = \"S\"\nsummary = \"Sum\"\n\
        kind = \"survey\"\nquestion = \"feel_safe_after_dark\"\n+++\nOne question.\n";

    fn run(text: &str) -> (Option<Question>, Vec<String>) {
        let areas = AreaDirectory::new([Area {
            slug: "chesham".into(),
            name: "Chesham".into(),
            district: District::Chiltern,
            postcodes: vec![PostcodePrefix::parse("HP5").unwrap()],
            households: Some(9000),
            wards: vec![],
            places: vec![],
        }]);
        let mut d = Diagnostics::default();
        let c = super::super::campaign_file::parse(Path::new("c/pulse.md"), text, &areas, &mut d);
        (
            c.and_then(|c| c.0.survey),
            d.0.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn a_survey_names_a_question_from_the_bank() {
        let (q, errs) = run(SURVEY);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(q, Some(Question::FeelSafeAfterDark));
        let (q, errs) = run(&SURVEY.replace("feel_safe_after_dark", "informed"));
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(q, Some(Question::Informed));
    }

    #[test]
    fn mistakes_are_located() {
        let (_, errs) = run(&SURVEY.replace("feel_safe_after_dark", "happy"));
        assert!(
            errs[0].starts_with("c/pulse.md:11:12: unknown question `happy`"),
            "{errs:?}"
        );
        let (_, errs) = run(&SURVEY.replace("kind = \"survey\"", "kind = \"poll\""));
        assert!(
            errs[0].starts_with("c/pulse.md:10:8: unknown kind `poll`"),
            "{errs:?}"
        );
        let (_, errs) = run(&SURVEY.replace("kind = \"survey\"\n", ""));
        assert!(
            errs[0].starts_with("c/pulse.md:10:12: `question` belongs to a survey"),
            "{errs:?}"
        );
        let (_, errs) = run(&SURVEY.replace("[\"email\"]", "[\"email\", \"feed\"]"));
        assert!(
            errs[0].starts_with("c/pulse.md:7:12: a survey goes by e-mail only"),
            "{errs:?}"
        );
        let (_, errs) = run(&SURVEY.replace("question = \"feel_safe_after_dark\"\n", ""));
        assert!(
            errs[0].starts_with("c/pulse.md:10:8: a survey needs a `question`"),
            "{errs:?}"
        );
    }
}
