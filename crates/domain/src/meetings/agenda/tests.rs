use super::*;
use proptest::prelude::*;
use std::collections::HashSet;
use time::macros::datetime;

fn item(id: i64, parent: Option<i64>, position: i32, planned_minutes: u32) -> ItemTiming {
    ItemTiming {
        id: ItemId::new(id),
        parent: parent.map(ItemId::new),
        position,
        planned_minutes,
    }
}

/// `move_item` with the ids as plain numbers, to write the expectations short.
fn mv(items: &[ItemTiming], id: i64, direction: Direction) -> Vec<(i64, i32)> {
    move_item(items, ItemId::new(id), direction)
        .into_iter()
        .map(|(id, p)| (id.get(), p))
        .collect()
}

fn next(items: &[ItemTiming], parent: Option<i64>) -> i32 {
    next_position(items, parent.map(ItemId::new))
}

fn summary(s: &Schedule) -> Vec<(i64, &str, u8, String, String)> {
    let hm = |t: PrimitiveDateTime| format!("{:02}:{:02}", t.hour(), t.minute());
    s.rows
        .iter()
        .map(|r| {
            (
                r.id.get(),
                r.number.as_str(),
                r.depth,
                hm(r.starts_at),
                hm(r.ends_at),
            )
        })
        .collect()
}

#[test]
fn a_sub_item_is_seen_by_no_more_people_than_its_parent() {
    use crate::authz::Visibility::{Body, Gezamenlijk};
    assert!(sub_item_fits(Gezamenlijk, Gezamenlijk));
    assert!(sub_item_fits(Gezamenlijk, Body(2)));
    assert!(sub_item_fits(Body(2), Body(2)));
    assert!(!sub_item_fits(Body(2), Gezamenlijk));
    assert!(!sub_item_fits(Body(2), Body(1)));
    assert_eq!(
        sub_item_message("MSB"),
        "Een onderdeel van een punt dat alleen voor MSB is, is ook alleen voor MSB."
    );
}

#[test]
fn numbers_and_times_follow_the_outline() {
    let items = [
        item(30, None, 3, 5),
        item(10, None, 1, 5),
        item(22, Some(20), 2, 20),
        item(20, None, 2, 10),
        item(21, Some(20), 1, 15),
    ];
    let s = schedule(datetime!(2026-11-10 16:00), &items);
    let row = |id, number, depth, from: &str, to: &str| {
        (id, number, depth, from.to_string(), to.to_string())
    };
    assert_eq!(
        summary(&s),
        vec![
            row(10, "1", 0, "16:00", "16:05"),
            row(20, "2", 0, "16:05", "16:50"),
            row(21, "2.1", 1, "16:15", "16:30"),
            row(22, "2.2", 1, "16:30", "16:50"),
            row(30, "3", 0, "16:50", "16:55"),
        ]
    );
    assert_eq!(s.ends_at, datetime!(2026-11-10 16:55));
}

#[test]
fn orphans_become_top_level_and_deep_nesting_is_numbered() {
    let items = [
        item(1, None, 1, 10),
        item(2, Some(1), 1, 10),
        item(3, Some(2), 1, 10),
        item(4, Some(99), 2, 10),
    ];
    let s = schedule(datetime!(2026-11-10 16:00), &items);
    let numbers: Vec<_> = s
        .rows
        .iter()
        .map(|r| (r.id.get(), r.number.as_str()))
        .collect();
    assert_eq!(numbers, vec![(1, "1"), (2, "1.1"), (3, "1.1.1"), (4, "2")]);
}

#[test]
fn a_parent_cycle_loses_no_item() {
    let items = [
        item(1, Some(2), 1, 10),
        item(2, Some(1), 2, 10),
        item(3, None, 1, 5),
    ];
    let s = schedule(datetime!(2026-11-10 16:00), &items);
    let numbers: Vec<_> = s
        .rows
        .iter()
        .map(|r| (r.id.get(), r.number.as_str()))
        .collect();
    assert_eq!(numbers, vec![(3, "1"), (1, "2"), (2, "2.1")]);
    assert_eq!(s.ends_at, datetime!(2026-11-10 16:25));
}

#[test]
fn empty_agenda_ends_when_it_starts() {
    let start = datetime!(2026-11-10 16:00);
    assert_eq!(
        schedule(start, &[]),
        Schedule {
            rows: vec![],
            ends_at: start
        }
    );
}

#[test]
fn moving_swaps_with_the_neighbour_among_siblings() {
    let items = [
        item(1, None, 1, 5),
        item(2, None, 2, 5),
        item(3, Some(2), 1, 5),
        item(4, Some(2), 2, 5),
        item(5, None, 3, 5),
    ];
    assert_eq!(mv(&items, 5, Direction::Up), vec![(5, 2), (2, 3)]);
    assert_eq!(mv(&items, 3, Direction::Down), vec![(4, 1), (3, 2)]);
    assert!(mv(&items, 1, Direction::Up).is_empty());
    assert!(mv(&items, 4, Direction::Down).is_empty());
    assert!(mv(&items, 42, Direction::Down).is_empty());
    // Gaps and duplicates left by deletions are tidied up on the first move.
    let gappy = [
        item(1, None, 4, 5),
        item(2, None, 4, 5),
        item(3, None, 9, 5),
    ];
    assert_eq!(mv(&gappy, 3, Direction::Up), vec![(1, 1), (3, 2), (2, 3)]);
}

#[test]
fn next_position_goes_after_the_last_sibling() {
    let items = [
        item(1, None, 1, 5),
        item(2, None, 7, 5),
        item(3, Some(2), 1, 5),
    ];
    assert_eq!(next(&items, None), 8);
    assert_eq!(next(&items, Some(2)), 2);
    assert_eq!(next(&items, Some(1)), 1);
    assert_eq!(next(&[], None), 1);
    // A parent that is gone means the top level, as in the schedule.
    assert_eq!(next(&items, Some(99)), 8);
}

#[test]
fn timer_texts() {
    let start = datetime!(2026-11-10 15:00 UTC);
    let at = |secs| start + Duration::seconds(secs);
    let t = timer(10, start, at(6 * 60));
    assert_eq!(
        (t.elapsed_secs, t.remaining_secs, t.over),
        (360, 240, false)
    );
    assert_eq!(t.text(), "nog 4 min");
    assert_eq!(timer(10, start, at(6 * 60 + 1)).text(), "nog 4 min");
    assert_eq!(timer(10, start, at(599)).text(), "nog 1 min");
    assert_eq!(timer(10, start, at(600)).text(), "tijd is om");
    assert_eq!(timer(10, start, at(601)).text(), "1 min over tijd");
    let late = timer(10, start, at(12 * 60));
    assert!(late.over);
    assert_eq!(late.remaining_secs, -120);
    assert_eq!(late.text(), "2 min over tijd");
    assert_eq!(timer(10, start, at(-30)).elapsed_secs, 0);
}

/// Unique ids 1..=n; parents point at other items, at themselves, or at items that do not exist.
fn items() -> impl Strategy<Value = Vec<ItemTiming>> {
    prop::collection::vec((prop::option::of(1i64..30), -3i32..8, 0u32..=600), 0..25).prop_map(
        |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (parent, position, minutes))| {
                    item(i as i64 + 1, parent, position, minutes)
                })
                .collect()
        },
    )
}

/// The same without parent cycles, which make the first item of the cycle (by position) a
/// top-level item: there, moving can change which item that is.
fn acyclic(items: Vec<ItemTiming>) -> Vec<ItemTiming> {
    let n = items.len() as i64;
    items
        .into_iter()
        .map(|i| ItemTiming {
            parent: i.parent.filter(|p| *p < i.id || p.get() > n),
            ..i
        })
        .collect()
}

fn start() -> PrimitiveDateTime {
    datetime!(2026-11-10 16:00)
}

proptest! {
    #[test]
    fn schedule_properties(items in items()) {
        let s = schedule(start(), &items);
        let total: i64 = items.iter().map(|i| i64::from(i.planned_minutes)).sum();
        prop_assert_eq!(s.ends_at, start() + Duration::minutes(total));

        let ids: HashSet<_> = s.rows.iter().map(|r| r.id).collect();
        prop_assert_eq!(ids.len(), items.len());
        prop_assert_eq!(s.rows.len(), items.len());
        let numbers: HashSet<_> = s.rows.iter().map(|r| r.number.clone()).collect();
        prop_assert_eq!(numbers.len(), s.rows.len());

        for pair in s.rows.windows(2) {
            prop_assert!(pair[0].starts_at <= pair[1].starts_at);
        }
        let by_id: BTreeMap<_, _> = s.rows.iter().map(|r| (r.id, r)).collect();
        for i in &items {
            let row = by_id[&i.id];
            prop_assert_eq!(row.number.split('.').count(), usize::from(row.depth) + 1);
            let own = Duration::minutes(i64::from(i.planned_minutes));
            prop_assert!(row.ends_at >= row.starts_at + own);
            prop_assert!(row.ends_at <= s.ends_at);
            if row.depth > 0 {
                let parent = by_id[&i.parent.expect("a sub-item has a parent")];
                let (prefix, _) = row.number.rsplit_once('.').expect("nested number");
                prop_assert_eq!(prefix, parent.number.as_str());
                prop_assert!(row.ends_at <= parent.ends_at);
            }
        }
    }

    #[test]
    fn moving_only_swaps_two_siblings(
        items in items().prop_map(acyclic).prop_filter("an item to move", |i| !i.is_empty()),
        pick in 0usize..25,
        up in any::<bool>(),
    ) {
        let id = items[pick % items.len()].id;
        let direction = if up { Direction::Up } else { Direction::Down };
        let changes = move_item(&items, id, direction);
        let apply = |items: &[ItemTiming], changes: &[(ItemId, i32)]| -> Vec<ItemTiming> {
            items.iter().map(|i| {
                let position = changes.iter().find(|(c, _)| *c == i.id).map_or(i.position, |c| c.1);
                ItemTiming { position, ..*i }
            }).collect()
        };
        let moved = apply(&items, &changes);
        let before = schedule(start(), &items);
        let after = schedule(start(), &moved);
        let depth = |s: &Schedule, id| s.rows.iter().find(|r| r.id == id).map(|r| r.depth);
        // Nothing changes level, and nothing outside the target's siblings moves.
        for i in &items {
            prop_assert_eq!(depth(&before, i.id), depth(&after, i.id));
        }
        if !changes.is_empty() {
            let by_id = index(&moved);
            let parent_of = |i: &ItemTiming| effective_parent(&by_id, i);
            let target = by_id[&id];
            let mut positions: Vec<i32> = moved.iter()
                .filter(|i| parent_of(i) == parent_of(target))
                .map(|i| i.position)
                .collect();
            positions.sort();
            let expected: Vec<i32> = (1..).take(positions.len()).collect();
            prop_assert_eq!(positions, expected);
            // Moving back undoes the move.
            let back = move_item(&moved, id, if up { Direction::Down } else { Direction::Up });
            let restored = apply(&moved, &back);
            let order = |s: Schedule| s.rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
            prop_assert_eq!(order(schedule(start(), &restored)), order(before));
        }
    }

    #[test]
    fn next_position_is_after_every_sibling(
        items in items().prop_map(acyclic),
        parent in prop::option::of(1i64..30),
    ) {
        let p = next_position(&items, parent.map(ItemId::new));
        let mut with_new = items.clone();
        with_new.push(item(1000, parent, p, 0));
        let s = schedule(start(), &with_new);
        let new_row = s.rows.iter().find(|r| r.id.get() == 1000).expect("scheduled");
        let prefix = |n: &str| n.rsplit_once('.').map(|(p, _)| p.to_string());
        let last = |n: &str| n.rsplit('.').next().and_then(|l| l.parse::<usize>().ok());
        // Among the rows that share its parent the new item comes last.
        let siblings: Vec<_> = s.rows.iter()
            .filter(|r| r.depth == new_row.depth && prefix(&r.number) == prefix(&new_row.number))
            .collect();
        prop_assert_eq!(last(&new_row.number), Some(siblings.len()));
    }

    #[test]
    fn timer_adds_up(planned in 0u32..600, elapsed in -100i64..100_000) {
        let start = datetime!(2026-11-10 15:00 UTC);
        let t = timer(planned, start, start + Duration::seconds(elapsed));
        prop_assert_eq!(t.elapsed_secs, elapsed.max(0));
        prop_assert_eq!(t.elapsed_secs + t.remaining_secs, i64::from(planned) * 60);
        prop_assert_eq!(t.over, t.remaining_secs < 0);
        prop_assert_eq!(t.text().ends_with("over tijd"), t.over);
    }
}
