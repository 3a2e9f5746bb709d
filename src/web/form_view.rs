//! What form pages need to show choices and errors the GOV.UK way: an error summary at the top
//! linking to each field, and each message beside its field.

use crate::domain::signup::FieldError;

/// A checkbox or radio button.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub name: &'static str,
    pub value: String,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

impl Choice {
    pub fn new(name: &'static str, value: &str, label: &str, checked: bool) -> Self {
        Choice {
            id: format!("{name}-{value}"),
            name,
            value: value.into(),
            label: label.into(),
            hint: String::new(),
            checked,
        }
    }
}

/// Gives a group's first choice the field's own name as its id, so `#field` from the error
/// summary lands on it.
pub fn anchored(mut choices: Vec<Choice>) -> Vec<Choice> {
    if let Some(first) = choices.first_mut() {
        first.id = first.name.to_string();
    }
    choices
}

#[derive(Debug, Clone, Default)]
pub struct ErrorSummary {
    pub errors: Vec<FieldError>,
}

impl ErrorSummary {
    pub fn new(errors: Vec<FieldError>) -> Self {
        ErrorSummary { errors }
    }

    pub fn any(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The message for one field, or "" when it has none.
    pub fn get(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }
}
