//! Who makes a change, as the audit trail records it.

use super::session::User;
use store::audit::Who;

/// The audit label of the person making a change.
pub fn who(user: &User) -> Who {
    Who {
        id: Some(user.actor.person_id.get()),
        label: format!("{} <{}>", user.name, user.email),
    }
}
