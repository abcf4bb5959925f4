//! Agenda order, numbering and planned times (A2), moving items, and the live timer (A5).

use crate::authz::Visibility;
use crate::ids::ItemId;
use std::collections::{BTreeMap, BTreeSet};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// What the schedule needs of an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemTiming {
    pub id: ItemId,
    pub parent: Option<ItemId>,
    pub position: i32,
    pub planned_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledItem {
    pub id: ItemId,
    /// "1", "2", "2.1": the number people refer to in the meeting and the minutes.
    pub number: String,
    /// 0 for a top-level item.
    pub depth: u8,
    pub starts_at: PrimitiveDateTime,
    /// The end of the item including its sub-items, so a parent shows the time its topic takes.
    pub ends_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// In agenda order: each item followed by its sub-items.
    pub rows: Vec<ScheduledItem>,
    pub ends_at: PrimitiveDateTime,
}

/// The items by id; on a repeated id the first one counts, so every id appears once.
fn index(items: &[ItemTiming]) -> BTreeMap<ItemId, &ItemTiming> {
    let mut by_id = BTreeMap::new();
    for item in items {
        by_id.entry(item.id).or_insert(item);
    }
    by_id
}

/// A parent that does not exist (deleted, or not visible) makes the item top-level rather than
/// hiding it.
fn effective_parent(by_id: &BTreeMap<ItemId, &ItemTiming>, item: &ItemTiming) -> Option<ItemId> {
    item.parent
        .filter(|p| *p != item.id && by_id.contains_key(p))
}

fn sort_key(item: &ItemTiming) -> (i32, ItemId) {
    (item.position, item.id)
}

struct Node<'a> {
    item: &'a ItemTiming,
    number: String,
    depth: u8,
}

/// The items in outline order. Items caught in a parent cycle (which the database should never
/// hold) are appended as top-level items, so no item is ever lost from the agenda.
fn outline(items: &[ItemTiming]) -> Vec<Node<'_>> {
    let by_id = index(items);
    let mut children: BTreeMap<Option<ItemId>, Vec<&ItemTiming>> = BTreeMap::new();
    for item in by_id.values() {
        let parent = effective_parent(&by_id, item);
        children.entry(parent).or_default().push(item);
    }
    for list in children.values_mut() {
        list.sort_by_key(|i| sort_key(i));
    }

    let mut out = Vec::with_capacity(by_id.len());
    let mut visited = BTreeSet::new();
    let mut roots: Vec<&ItemTiming> = children.get(&None).cloned().unwrap_or_default();
    let mut leftovers: Vec<&ItemTiming> = by_id.values().copied().collect();
    leftovers.sort_by_key(|i| sort_key(i));
    roots.extend(leftovers);

    let mut top = 0usize;
    for root in roots {
        if visited.contains(&root.id) {
            continue;
        }
        top += 1;
        // An explicit stack: nesting depth comes from data and must not exhaust the call stack.
        let mut stack = vec![(root, top.to_string(), 0u8)];
        while let Some((item, number, depth)) = stack.pop() {
            if !visited.insert(item.id) {
                continue;
            }
            let kids: Vec<_> = children
                .get(&Some(item.id))
                .map(|k| k.iter().filter(|c| !visited.contains(&c.id)).collect())
                .unwrap_or_default();
            for (k, child) in kids.into_iter().enumerate().rev() {
                stack.push((
                    child,
                    format!("{number}.{}", k + 1),
                    depth.saturating_add(1),
                ));
            }
            out.push(Node {
                item,
                number,
                depth,
            });
        }
    }
    out
}

/// Planned start and end of every item when the meeting starts at `start`. A parent's own
/// minutes (its introduction) come before its sub-items.
pub fn schedule(start: PrimitiveDateTime, items: &[ItemTiming]) -> Schedule {
    let nodes = outline(items);
    let mut rows: Vec<ScheduledItem> = Vec::with_capacity(nodes.len());
    let mut cursor = start;
    // Items whose block is still open, to close them when an item at their depth or above starts.
    let mut open: Vec<usize> = Vec::new();
    for node in nodes {
        while let Some(&i) = open.last() {
            if rows[i].depth < node.depth {
                break;
            }
            rows[i].ends_at = cursor;
            open.pop();
        }
        open.push(rows.len());
        rows.push(ScheduledItem {
            id: node.item.id,
            number: node.number,
            depth: node.depth,
            starts_at: cursor,
            ends_at: cursor,
        });
        cursor = cursor.saturating_add(Duration::minutes(i64::from(node.item.planned_minutes)));
    }
    for i in open {
        rows[i].ends_at = cursor;
    }
    Schedule {
        rows,
        ends_at: cursor,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Up,
    Down,
}

/// Moves an item one place among its siblings. Returns only the positions that change (siblings
/// renumbered 1..n), so untouched items keep their version and nobody else's edit conflicts.
/// Moving the first item up or the last one down, or an unknown id, changes nothing.
pub fn move_item(items: &[ItemTiming], id: ItemId, direction: Direction) -> Vec<(ItemId, i32)> {
    let by_id = index(items);
    let Some(target) = by_id.get(&id) else {
        return Vec::new();
    };
    let parent = effective_parent(&by_id, target);
    let mut siblings: Vec<&ItemTiming> = by_id
        .values()
        .copied()
        .filter(|i| effective_parent(&by_id, i) == parent)
        .collect();
    siblings.sort_by_key(|i| sort_key(i));
    let Some(at) = siblings.iter().position(|i| i.id == id) else {
        return Vec::new();
    };
    let other = match direction {
        Direction::Up => at.checked_sub(1),
        Direction::Down => Some(at + 1).filter(|j| *j < siblings.len()),
    };
    let Some(other) = other else {
        return Vec::new();
    };
    siblings.swap(at, other);
    siblings
        .iter()
        .zip(1..)
        .filter(|(item, position)| item.position != *position)
        .map(|(item, position)| (item.id, position))
        .collect()
}

/// The position for a new item at the end of `parent`'s sub-items (or of the top level).
pub fn next_position(items: &[ItemTiming], parent: Option<ItemId>) -> i32 {
    let by_id = index(items);
    let parent = parent.filter(|p| by_id.contains_key(p));
    by_id
        .values()
        .filter(|i| effective_parent(&by_id, i) == parent)
        .map(|i| i.position)
        .max()
        .map_or(1, |p| p.saturating_add(1))
}

/// The live timer of the current item against its planned minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub elapsed_secs: i64,
    /// Negative when the item runs over its planned time.
    pub remaining_secs: i64,
    pub over: bool,
}

impl Timer {
    /// "nog 4 min", "tijd is om" or "2 min over tijd". Minutes are rounded up, so the text says
    /// "nog 1 min" until the time is really up and "1 min over tijd" from the first second over.
    pub fn text(&self) -> String {
        let minutes = |secs: i64| (secs + 59) / 60;
        match self.remaining_secs {
            0 => "tijd is om".to_string(),
            r if r > 0 => format!("nog {} min", minutes(r)),
            r => format!("{} min over tijd", minutes(-r)),
        }
    }
}

/// A `now` before `started` (clocks of two app servers disagreeing) counts as just started.
pub fn timer(planned_minutes: u32, started: OffsetDateTime, now: OffsetDateTime) -> Timer {
    let elapsed_secs = (now - started).whole_seconds().max(0);
    let remaining_secs = i64::from(planned_minutes) * 60 - elapsed_secs;
    Timer {
        elapsed_secs,
        remaining_secs,
        over: remaining_secs < 0,
    }
}

/// A sub-item is seen by no more people than its parent: under an item for one body only it is
/// for that body only, or it would show up — numbered under nothing — for the others.
pub fn sub_item_fits(parent: Visibility, child: Visibility) -> bool {
    match parent {
        Visibility::Gezamenlijk => true,
        Visibility::Body(_) => child == parent,
    }
}

/// Why a sub-item does not fit under its parent (`code`: the parent's body).
pub fn sub_item_message(code: &str) -> String {
    format!("Een onderdeel van een punt dat alleen voor {code} is, is ook alleen voor {code}.")
}

/// Why an item with sub-items for more people cannot be restricted to body `code`.
pub fn restricted_parent_message(code: &str) -> String {
    format!(
        "Dit punt heeft onderdelen die niet alleen voor {code} zijn; maak die eerst ook alleen voor {code}."
    )
}

#[cfg(test)]
mod tests;
