//! Errors the web UI receives: a closed code, a sentence to show, and the form field it is about.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A settings value is wrong; `field` says which.
    Invalid,
    /// The config file could not be written.
    Io,
    /// A window could not be opened.
    Window,
    /// The config file does not parse (or cannot be read), so Save refuses to overwrite it;
    /// the message names the file, the line and what is wrong.
    ConfigUnreadable,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field (its element id) the error is about.
    pub field: Option<&'static str>,
}

impl IpcError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        IpcError { code: ErrorCode::Invalid, message: message.into(), field: Some(field) }
    }

    pub fn unreadable(message: impl Into<String>) -> Self {
        IpcError { code: ErrorCode::ConfigUnreadable, message: message.into(), field: None }
    }

    pub fn io(message: impl Into<String>) -> Self {
        IpcError { code: ErrorCode::Io, message: message.into(), field: None }
    }
}

/// Several field errors at once, so the form shows them all.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IpcErrors {
    pub errors: Vec<IpcError>,
}

/// An action not taken, on the field it is about (the form's element id), else on the action.
impl From<IpcError> for IpcErrors {
    fn from(e: IpcError) -> Self {
        IpcErrors { errors: vec![e] }
    }
}

/// A filing not made: each field beside its element (the engineer's problem beside the form),
/// else the whole form's.
impl From<rota_io::filing::FilingError> for IpcErrors {
    fn from(e: rota_io::filing::FilingError) -> Self {
        use rota_io::filing::{FilingError, TO};
        let errors = match e {
            FilingError::Invalid(problems) => problems
                .into_iter()
                .map(|p| IpcError { code: ErrorCode::Invalid, message: p.message, field: Some(p.field).filter(|f| *f != TO) })
                .collect(),
            FilingError::NotSaved { field, message } => vec![IpcError::invalid(field, message)],
            other => vec![IpcError::io(other.to_string())],
        };
        IpcErrors { errors }
    }
}

impl From<rota_io::acting::ActError> for IpcError {
    fn from(e: rota_io::acting::ActError) -> Self {
        use rota_io::acting::{TEAM, TO, URL};
        let field = match e.field {
            Some(TEAM) => "engage-team",
            Some(URL) => "engage-url",
            Some(TO) => "reassign-to",
            _ => "action",
        };
        IpcError::invalid(field, e.message)
    }
}
