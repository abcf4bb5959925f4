//! The agenda item form's rules (product.md A2): what a secretary may type for an item, checked
//! against the meeting it belongs to and what the person may see. The web reads the form, the
//! store writes the typed draft; every rule and its Dutch message lives here.

use super::agenda::{restricted_parent_message, sub_item_fits, sub_item_message};
use super::kinds::{Purpose, StandingItem, Subject};
use super::links::{ItemLink, LinkKind, refusal};
use crate::authz::{Actor, Visibility};
use crate::ids::ItemId;
use crate::people::FieldError;
use crate::text;
use std::collections::HashMap;

/// The item form as typed.
#[derive(Debug, Default, Clone)]
pub struct ItemForm {
    pub title: String,
    pub description: String,
    pub presenter: String,
    pub planned_minutes: String,
    pub purpose: String,
    pub subject: String,
    /// A body's id, or empty for *gezamenlijk*.
    pub visibility: String,
    /// The parent item's id, or empty for a main item.
    pub parent: String,
    pub deciding: Vec<String>,
    /// Chosen link targets per kind, as typed (ids).
    pub agreements: Vec<String>,
    pub scenarios: Vec<String>,
}

/// An item already on the agenda, as far as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct AgendaEntry {
    pub id: ItemId,
    pub parent_id: Option<ItemId>,
    pub visibility_body_id: Option<i64>,
}

/// What the rules check the form against.
pub struct ItemContext<'a> {
    pub actor: &'a Actor,
    /// The bodies taking part in the meeting.
    pub meeting_bodies: &'a [i64],
    /// The item being edited (none for a new one).
    pub item_id: Option<ItemId>,
    /// Every item of the meeting (the person's view is applied here).
    pub items: &'a [AgendaEntry],
    /// Body codes by id, for the messages.
    pub body_codes: &'a HashMap<i64, String>,
    /// The link targets the person may see.
    pub targets: &'a [ItemLink],
}

/// A checked agenda item, as the store writes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemDraft {
    pub parent_id: Option<ItemId>,
    pub title: String,
    pub description: String,
    pub presenter: String,
    pub planned_minutes: i32,
    pub purpose: Purpose,
    pub subject: Subject,
    pub visibility_body_id: Option<i64>,
    pub links: Vec<ItemLink>,
    pub deciding_bodies: Vec<i64>,
    /// Which standing item this is (none for an item someone added).
    pub standing: Option<StandingItem>,
}

impl ItemDraft {
    /// A standing item as a new meeting gets it; title, time and purpose are the domain's (A2).
    pub fn standing(item: StandingItem, minutes: u32) -> Self {
        ItemDraft {
            parent_id: None,
            title: item.label().to_string(),
            description: String::new(),
            presenter: String::new(),
            planned_minutes: minutes as i32,
            purpose: item.purpose(),
            subject: item.subject(),
            visibility_body_id: None,
            links: Vec::new(),
            deciding_bodies: Vec::new(),
            standing: Some(item),
        }
    }
}

impl ItemDraft {
    pub fn parse(form: &ItemForm, cx: &ItemContext<'_>) -> Result<ItemDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut add = |field: &'static str, message: String| {
            errors.push(FieldError::new(field, message));
        };
        let title = form.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            add("title", "Vul een titel in (hoogstens 200 tekens).".into());
        }
        let description = form.description.trim().to_string();
        if let Some(m) = text::too_long(&description, text::max::LONG) {
            add("description", m);
        }
        let presenter = form.presenter.trim().to_string();
        if let Some(m) = text::too_long(&presenter, text::max::SHORT) {
            add("presenter", m);
        }
        let minutes = form
            .planned_minutes
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|m| (0..=600).contains(m));
        if minutes.is_none() {
            add(
                "planned_minutes",
                "Vul het aantal geplande minuten in, van 0 tot en met 600.".into(),
            );
        }
        let purpose = Purpose::parse(&form.purpose);
        if purpose.is_none() {
            add("purpose", "Kies het doel van het agendapunt.".into());
        }
        let subject = Subject::parse(&form.subject);
        if subject.is_none() {
            add("subject", "Kies het onderwerp.".into());
        }
        let visibility = if form.visibility.is_empty() {
            Some(None)
        } else {
            form.visibility.parse::<i64>().ok().map(Some)
        };
        match visibility {
            Some(Some(b))
                if !cx.meeting_bodies.contains(&b) || !cx.actor.can_see(Visibility::Body(b)) =>
            {
                add(
                    "visibility",
                    "Kies een gremium dat deelneemt en waarvan u lid bent.".into(),
                )
            }
            None => add("visibility", "Kies wie dit agendapunt mag zien.".into()),
            _ => {}
        }
        let deciding: Vec<i64> = form
            .deciding
            .iter()
            .filter_map(|d| d.parse().ok())
            .collect();
        if deciding.iter().any(|b| !cx.meeting_bodies.contains(b)) {
            add(
                "deciding",
                "Alleen deelnemende gremia kunnen besluiten.".into(),
            );
        }
        if purpose == Some(Purpose::Besluitvorming) && deciding.is_empty() {
            add(
                "deciding",
                "Kies bij besluitvorming welke gremia besluiten.".into(),
            );
        }
        if let Some(Some(restricted)) = visibility
            && deciding.iter().any(|b| *b != restricted)
        {
            add(
                "deciding",
                "Op een punt dat alleen voor één gremium is, besluit alleen dat gremium.".into(),
            );
        }
        // A parent the person may not see is refused exactly like one that does not exist.
        let parent = match form.parent.as_str() {
            "" => Ok(None),
            id => cx
                .items
                .iter()
                .find(|i| {
                    i.id.to_string() == id
                        && i.parent_id.is_none()
                        && Some(i.id) != cx.item_id
                        && cx.actor.can_see(Visibility::of(i.visibility_body_id))
                })
                .map(Some)
                .ok_or(()),
        };
        let code = |b: i64| cx.body_codes.get(&b).cloned().unwrap_or_default();
        match (parent, visibility) {
            (Err(()), _) => add("parent", "Kies een hoofdpunt van deze agenda.".into()),
            (Ok(Some(p)), Some(v)) => {
                if let (false, Some(b)) = (
                    sub_item_fits(Visibility::of(p.visibility_body_id), Visibility::of(v)),
                    p.visibility_body_id,
                ) {
                    add("parent", sub_item_message(&code(b)));
                }
            }
            _ => {}
        }
        // Restricting an item restricts its sub-items too, or they would hang under nothing.
        if let (Some(id), Some(Some(b))) = (cx.item_id, visibility)
            && cx.items.iter().any(|i| {
                i.parent_id == Some(id)
                    && !sub_item_fits(Visibility::Body(b), Visibility::of(i.visibility_body_id))
            })
        {
            add("visibility", restricted_parent_message(&code(b)));
        }
        let mut links = Vec::new();
        for (chosen, kind) in [
            (&form.agreements, LinkKind::Afspraak),
            (&form.scenarios, LinkKind::Scenario),
        ] {
            match chosen_links(chosen, kind, cx.targets) {
                Ok(mut found) => links.append(&mut found),
                Err(e) => errors.push(e),
            }
        }
        links.sort();
        links.dedup();
        let parent_id = parent.ok().flatten().map(|p| p.id);
        match (minutes, purpose, subject, visibility) {
            (Some(planned_minutes), Some(purpose), Some(subject), Some(visibility_body_id))
                if errors.is_empty() =>
            {
                Ok(ItemDraft {
                    parent_id,
                    title,
                    description,
                    presenter,
                    planned_minutes,
                    purpose,
                    subject,
                    visibility_body_id,
                    links,
                    deciding_bodies: deciding,
                    standing: None,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The chosen links of one kind, each one a target the person may see; any other id (hidden or
/// missing alike) is refused at the field with the same words.
fn chosen_links(
    chosen: &[String],
    kind: LinkKind,
    targets: &[ItemLink],
) -> Result<Vec<ItemLink>, FieldError> {
    chosen
        .iter()
        .map(|id| {
            targets
                .iter()
                .find(|t| t.kind == kind && t.target.to_string() == *id)
                .copied()
                .ok_or_else(|| FieldError::new(kind.code(), refusal(kind)))
        })
        .collect()
}

#[cfg(test)]
#[path = "item_draft_tests.rs"]
mod tests;
