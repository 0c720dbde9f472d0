//! Notifications (general, per record, reminders) as each copy of an app's settings keeps
//! them. The emulator keeps them and reads them back; it sends no notification.

use serde_json::Value;

/// One copy's notifications, as the Get operations answer them.
#[derive(Debug, Clone)]
pub struct Notifications {
    pub general: Vec<Value>,
    pub notify_to_commenter: bool,
    pub per_record: Vec<Value>,
    pub reminders: Vec<Value>,
    pub timezone: String,
}

impl Default for Notifications {
    /// A new app's: nobody is notified, and reminders are reckoned in UTC (the emulator's
    /// domain has no named time zone).
    fn default() -> Notifications {
        Notifications {
            general: Vec::new(),
            notify_to_commenter: false,
            per_record: Vec::new(),
            reminders: Vec::new(),
            timezone: "Etc/UTC".to_string(),
        }
    }
}
