//! The self-assessment's forms (C1, C2): a catalogue statement, a round, and a respondent's
//! answers. Each `…Draft::parse` checks what was typed and reports every problem at its field in
//! Dutch (F5); the catalogue and round forms use the shared [`FieldError`], the answer form its
//! own [`AnswerError`] because its fields are per statement.

use super::StatementId;
use super::answer::{AnonymousAnswer, Answer, shuffle};
use crate::agreements::kinds::SevenS;
use crate::ids::BodyId;
use crate::nl;
use crate::people::{BodyKind, FieldError};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// A statement is one sentence, at most two; longer ones are hard to answer with one number.
pub const MAX_STATEMENT_CHARS: usize = 400;
pub const MAX_SOURCE_CHARS: usize = 200;
pub const MAX_TITLE_CHARS: usize = 200;
/// Room for an explanation, not for an essay: long texts are also easier to recognise by style.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// The help text under every comment field: comments are shown without a name, but words can
/// give a writer away.
pub const COMMENT_HINT: &str = "Uw toelichting wordt zonder naam getoond. Schrijf niets waaraan u of anderen te herkennen zijn.";

/// Whitespace collapsed to single spaces and control characters removed: a statement is one
/// line of text wherever it is shown.
fn one_line(input: &str) -> String {
    input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// Line breaks kept (as `\n`), other control characters removed (PostgreSQL refuses NUL in
/// text), the whole trimmed.
pub fn clean_comment(input: &str) -> String {
    input
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

fn too_long(what: &str, max: usize, actual: usize) -> String {
    format!("{what} is te lang: gebruik ten hoogste {max} tekens (nu {actual}).")
}

/// The catalogue statement form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementForm {
    /// A [`SevenS`] code.
    pub s: String,
    pub text: String,
    pub source: String,
}

/// A checked catalogue statement, before it has an id or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDraft {
    pub s: SevenS,
    pub text: String,
    pub source: Option<String>,
}

impl StatementDraft {
    pub fn parse(form: &StatementForm) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let s = SevenS::parse(form.s.trim());
        if s.is_none() {
            errors.push(FieldError::new(
                "s",
                "Kies het element van het 7S-model waar de stelling over gaat.",
            ));
        }
        let text = one_line(&form.text);
        let chars = text.chars().count();
        if chars == 0 {
            errors.push(FieldError::new("text", "Vul de tekst van de stelling in."));
        } else if chars > MAX_STATEMENT_CHARS {
            errors.push(FieldError::new(
                "text",
                too_long("De stelling", MAX_STATEMENT_CHARS, chars),
            ));
        }
        let source = one_line(&form.source);
        let source_chars = source.chars().count();
        if source_chars > MAX_SOURCE_CHARS {
            errors.push(FieldError::new(
                "source",
                too_long("De bron", MAX_SOURCE_CHARS, source_chars),
            ));
        }
        match s {
            Some(s) if errors.is_empty() => Ok(Self {
                s,
                text,
                source: (!source.is_empty()).then_some(source),
            }),
            _ => Err(errors),
        }
    }
}

/// The round form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundForm {
    pub title: String,
    /// The bodies ticked.
    pub body_ids: Vec<BodyId>,
    /// Dates as typed (`dd-mm-jjjj`) or as a date picker sends them.
    pub opens_on: String,
    pub closes_on: String,
}

/// A checked round, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundDraft {
    pub title: String,
    /// In the order ticked, each once.
    pub body_ids: Vec<BodyId>,
    pub opens_on: Date,
    pub closes_on: Date,
}

impl RoundDraft {
    /// `bodies` are the hospital's bodies (id and kind); `today` is the date in Amsterdam.
    ///
    /// The closing date must lie after the opening date and not before today (a round that has
    /// already closed cannot be answered). The opening date may lie in the past: the secretary
    /// may enter a round that was announced earlier.
    pub fn parse(
        form: &RoundForm,
        bodies: &[(BodyId, BodyKind)],
        today: Date,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();

        let title = one_line(&form.title);
        let chars = title.chars().count();
        if chars == 0 {
            errors.push(FieldError::new(
                "title",
                "Geef de ronde een titel, bijvoorbeeld ‘Zelfevaluatie 2026’.",
            ));
        } else if chars > MAX_TITLE_CHARS {
            errors.push(FieldError::new(
                "title",
                too_long("De titel", MAX_TITLE_CHARS, chars),
            ));
        }

        let mut body_ids: Vec<BodyId> = Vec::with_capacity(form.body_ids.len());
        for &id in &form.body_ids {
            match bodies.iter().find(|(b, _)| *b == id).map(|(_, kind)| *kind) {
                None => errors.push(FieldError::new("bodies", format!("Onbekend bestuur (nr. {id})."))),
                Some(BodyKind::Toezicht) => errors.push(FieldError::new(
                    "bodies",
                    "Toehoorders zoals de RvT vullen de zelfevaluatie niet in; kies de RvB of onderdelen van MSB+.",
                )),
                Some(_) if !body_ids.contains(&id) => body_ids.push(id),
                Some(_) => {}
            }
        }
        if form.body_ids.is_empty() {
            errors.push(FieldError::new(
                "bodies",
                "Kies ten minste één bestuur dat de zelfevaluatie invult.",
            ));
        }

        let date = |field: &'static str, input: &str, what: &str, errors: &mut Vec<FieldError>| {
            if input.trim().is_empty() {
                errors.push(FieldError::new(field, format!("Vul een {what} in.")));
                return None;
            }
            let parsed = nl::parse_date(input);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    field,
                    "Dit is geen geldige datum. Schrijf bijvoorbeeld 23-11-2026.",
                ));
            }
            parsed
        };
        let opens_on = date("opens_on", &form.opens_on, "openingsdatum", &mut errors);
        let closes_on = date("closes_on", &form.closes_on, "sluitingsdatum", &mut errors);
        if let Some(closes) = closes_on {
            if closes < today {
                errors.push(FieldError::new(
                    "closes_on",
                    format!(
                        "De sluitingsdatum ligt in het verleden; kies {} of later.",
                        nl::date(today)
                    ),
                ));
            } else if opens_on.is_some_and(|opens| closes <= opens) {
                errors.push(FieldError::new(
                    "closes_on",
                    "De sluitingsdatum moet na de openingsdatum liggen.",
                ));
            }
        }

        match (opens_on, closes_on) {
            (Some(opens_on), Some(closes_on)) if errors.is_empty() => Ok(Self {
                title,
                body_ids,
                opens_on,
                closes_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Which body a respondent answers for. A member of several invited bodies (say MSB and VMS)
/// answers once, for one body of their choice; `eligible` are the invited bodies the person is
/// a member of (observer bodies excluded). With one eligible body the choice is made for them.
pub fn choose_body(input: &str, eligible: &[BodyId]) -> Result<BodyId, FieldError> {
    let err = |m: &str| Err(FieldError::new("body", m));
    match eligible {
        [] => err("U bent niet uitgenodigd voor deze ronde."),
        [only] if input.trim().is_empty() => Ok(*only),
        _ => match input.trim().parse::<BodyId>() {
            Ok(id) if eligible.contains(&id) => Ok(id),
            _ => err("Kies het bestuur waarvoor u de vragenlijst invult."),
        },
    }
}

/// Where an answer-form problem is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnswerField {
    /// The radio buttons of a statement.
    Answer(StatementId),
    /// The comment box of a statement.
    Comment(StatementId),
    /// The form as a whole (a field that does not belong to the round).
    Form,
}

impl AnswerField {
    const ANSWER: &'static str = "antwoord_";
    const COMMENT: &'static str = "toelichting_";

    /// The HTML field name: `antwoord_12`, `toelichting_12`, `formulier`. One naming for the
    /// template, the handler and the error.
    pub fn name(self) -> String {
        match self {
            AnswerField::Answer(id) => format!("{}{id}", Self::ANSWER),
            AnswerField::Comment(id) => format!("{}{id}", Self::COMMENT),
            AnswerField::Form => "formulier".to_string(),
        }
    }

    /// Reads a field name back; `None` for fields that are not answers or comments (the CSRF
    /// token, the button) and for names with something else than a number after the prefix.
    pub fn from_name(name: &str) -> Option<Self> {
        let id = |rest: &str| rest.parse::<i64>().ok().map(StatementId);
        if let Some(rest) = name.strip_prefix(Self::ANSWER) {
            id(rest).map(AnswerField::Answer)
        } else {
            id(name.strip_prefix(Self::COMMENT)?).map(AnswerField::Comment)
        }
    }
}

/// A problem with the answer form, in Dutch, at its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AnswerError {
    pub field: AnswerField,
    pub message: String,
}

impl AnswerError {
    fn new(field: AnswerField, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// The answer form as submitted: answer codes and comments by statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswersForm {
    /// Answer codes as sent (`"1"`…`"5"`, `"weet_niet"`, or `""` for nothing chosen).
    pub answers: BTreeMap<StatementId, String>,
    pub comments: BTreeMap<StatementId, String>,
}

impl AnswersForm {
    /// The form from its raw fields (name, value), named as [`AnswerField::name`] names them;
    /// other fields are ignored. A later field of the same name replaces an earlier one.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match AnswerField::from_name(name) {
                Some(AnswerField::Answer(id)) => {
                    form.answers.insert(id, value.to_string());
                }
                Some(AnswerField::Comment(id)) => {
                    form.comments.insert(id, value.to_string());
                }
                _ => {}
            }
        }
        form
    }
}

/// One statement's answer while the respondent is still busy: either part may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftAnswer {
    pub statement: StatementId,
    pub answer: Option<Answer>,
    pub comment: Option<String>,
}

/// What "Opslaan" keeps: the statements with an answer or a comment, in round order. Kept per
/// person until submit (see `docs/selfassessment.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswersDraft {
    pub answers: Vec<DraftAnswer>,
}

impl AnswersDraft {
    /// The rules for saving: every answer known, every comment within its limit, no statement
    /// that is not part of the round. Unanswered statements are fine.
    pub fn parse(form: &AnswersForm, statements: &[StatementId]) -> Result<Self, Vec<AnswerError>> {
        let (answers, errors) = read(form, statements);
        if errors.is_empty() {
            Ok(Self { answers })
        } else {
            Err(errors)
        }
    }

    /// How many statements have an answer (for "12 van 42 beantwoord").
    pub fn answered(&self) -> usize {
        self.answers.iter().filter(|a| a.answer.is_some()).count()
    }
}

/// A submitted answer: the answer is no longer optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedAnswer {
    pub statement: StatementId,
    pub answer: Answer,
    pub comment: Option<String>,
}

/// What "Versturen" hands in: an answer to every statement of the round, in round order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub answers: Vec<SubmittedAnswer>,
}

impl Submission {
    /// The rules for submitting: those for saving, and every statement answered ("weet ik niet"
    /// counts as an answer).
    pub fn parse(form: &AnswersForm, statements: &[StatementId]) -> Result<Self, Vec<AnswerError>> {
        let (draft, mut errors) = read(form, statements);
        let given: BTreeSet<StatementId> = draft
            .iter()
            .filter(|d| d.answer.is_some())
            .map(|d| d.statement)
            .collect();
        for &id in statements {
            // An unknown code was already reported at this field; one message per field.
            let reported = errors.iter().any(|e| e.field == AnswerField::Answer(id));
            if !given.contains(&id) && !reported {
                errors.push(AnswerError::new(
                    AnswerField::Answer(id),
                    "Kies een antwoord; ‘Weet ik niet’ mag ook.",
                ));
            }
        }
        errors.sort_by_key(|e| e.field_order(statements));
        if !errors.is_empty() {
            return Err(errors);
        }
        let answers = draft
            .into_iter()
            .filter_map(|d| {
                Some(SubmittedAnswer {
                    statement: d.statement,
                    answer: d.answer?,
                    comment: d.comment,
                })
            })
            .collect();
        Ok(Self { answers })
    }

    /// The rows the store writes, for the body the respondent chose, in an order that has
    /// nothing to do with the form's (see [`shuffle`]; `seed` comes from a random generator).
    pub fn into_rows(self, body_id: BodyId, seed: u64) -> Vec<AnonymousAnswer> {
        let mut rows: Vec<AnonymousAnswer> = self
            .answers
            .into_iter()
            .map(|a| AnonymousAnswer {
                body_id,
                statement: a.statement,
                answer: a.answer,
                comment: a.comment,
            })
            .collect();
        shuffle(&mut rows, seed);
        rows
    }
}

impl AnswerError {
    /// Form errors first, then in the order of the statements on the page.
    fn field_order(&self, statements: &[StatementId]) -> (usize, usize) {
        let at = |id| {
            statements
                .iter()
                .position(|s| *s == id)
                .unwrap_or(usize::MAX)
        };
        match self.field {
            AnswerField::Form => (0, 0),
            AnswerField::Answer(id) => (1 + at(id), 0),
            AnswerField::Comment(id) => (1 + at(id), 1),
        }
    }
}

/// Reads the form against the round's statements: the entries with something in them, and the
/// problems found.
fn read(form: &AnswersForm, statements: &[StatementId]) -> (Vec<DraftAnswer>, Vec<AnswerError>) {
    let mut errors = Vec::new();
    let known: BTreeSet<StatementId> = statements.iter().copied().collect();
    let strangers: BTreeSet<StatementId> = form
        .answers
        .keys()
        .chain(form.comments.keys())
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    // One line however many: a forged form with thousands of fields gets a short answer.
    let shown: Vec<String> = strangers.iter().take(5).map(|id| id.to_string()).collect();
    match strangers.len() {
        0 => {}
        1 => errors.push(AnswerError::new(
            AnswerField::Form,
            format!(
                "Het formulier bevat een stelling die niet bij deze ronde hoort (nr. {}). Laad de pagina opnieuw.",
                shown[0]
            ),
        )),
        n => errors.push(AnswerError::new(
            AnswerField::Form,
            format!(
                "Het formulier bevat {n} stellingen die niet bij deze ronde horen (nr. {}{}). Laad de pagina opnieuw.",
                shown.join(", "),
                if n > shown.len() { ", …" } else { "" }
            ),
        )),
    }

    let mut entries = Vec::new();
    for &id in statements {
        let code = form.answers.get(&id).map(|c| c.trim()).unwrap_or("");
        let answer = if code.is_empty() {
            None
        } else {
            match Answer::try_from(code) {
                Ok(a) => Some(a),
                Err(e) => {
                    errors.push(AnswerError::new(
                        AnswerField::Answer(id),
                        format!(
                            "Onbekend antwoord ‘{}’; kies een van de antwoorden.",
                            crate::text::fit(&e.value, 20)
                        ),
                    ));
                    None
                }
            }
        };
        let comment = form
            .comments
            .get(&id)
            .map(|c| clean_comment(c))
            .unwrap_or_default();
        let chars = comment.chars().count();
        if chars > MAX_COMMENT_CHARS {
            errors.push(AnswerError::new(
                AnswerField::Comment(id),
                too_long("De toelichting", MAX_COMMENT_CHARS, chars),
            ));
        }
        if answer.is_some() || !comment.is_empty() {
            entries.push(DraftAnswer {
                statement: id,
                answer,
                comment: (!comment.is_empty()).then_some(comment),
            });
        }
    }
    (entries, errors)
}

#[cfg(test)]
mod tests;
