//! Forms of kintone's answers that its own OpenAPI description allows and the spec once refused:
//! an action without `filterCond`, and number-like settings written as JSON numbers where
//! kintone writes strings (its description says integer, so a client meets both).

use kintone_api::types::{
    AppActions, FieldProperties, FormFields, FormLayout, ReminderNotifications, Reports, Views,
};
use kintone_api::types::{FilePropertiesThumbnailSize, ReferenceTablePropertiesReferenceTableSize};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value:#}"))
}

/// kintone's description marks an action's `filterCond` optional; both Get App Actions forms
/// (live and preview) answer with this type.
#[test]
fn an_action_without_a_filter_condition_decodes() {
    let actions: AppActions = decode(json!({
        "revision": "3",
        "actions": {
            "Copy": {
                "name": "Copy", "id": "10", "index": "0",
                "destApp": { "app": "2", "code": "" },
                "mappings": [{ "srcType": "RECORD_URL", "destField": "Link" }],
                "entities": [{ "type": "USER", "code": "alice" }]
            }
        }
    }));
    assert_eq!(actions.actions["Copy"].filter_cond, None);
}

/// Form fields' number-like properties, including the two whose values are a closed list
/// (`thumbnailSize`, `referenceTable.size`), read from a JSON number as from a string.
#[test]
fn form_field_numbers_read_from_json_numbers() {
    let form: FormFields = decode(json!({
        "revision": "2",
        "properties": {
            "Title": { "type": "SINGLE_LINE_TEXT", "code": "Title", "label": "Title",
                       "minLength": 1, "maxLength": 64 },
            "Amount": { "type": "NUMBER", "code": "Amount", "label": "Amount",
                        "minValue": -5, "maxValue": 1.5, "displayScale": 2 },
            "Photo": { "type": "FILE", "code": "Photo", "label": "Photo", "thumbnailSize": 150 },
            "Orders": { "type": "REFERENCE_TABLE", "code": "Orders", "label": "Orders",
                        "referenceTable": {
                            "relatedApp": { "app": "3", "code": "" },
                            "condition": { "field": "Code", "relatedField": "Code" },
                            "size": 5 } }
        }
    }));
    let FieldProperties::SingleLineText(title) = &form.properties["Title"] else {
        panic!("Title is a SINGLE_LINE_TEXT")
    };
    assert_eq!(title.min_length.as_deref(), Some("1"));
    assert_eq!(title.max_length.as_deref(), Some("64"));
    let FieldProperties::Number(amount) = &form.properties["Amount"] else {
        panic!("Amount is a NUMBER")
    };
    assert_eq!(amount.min_value.as_deref(), Some("-5"));
    assert_eq!(amount.max_value.as_deref(), Some("1.5"));
    assert_eq!(amount.display_scale.as_deref(), Some("2"));
    let FieldProperties::File(photo) = &form.properties["Photo"] else {
        panic!("Photo is a FILE")
    };
    assert_eq!(
        photo.thumbnail_size,
        Some(FilePropertiesThumbnailSize::Px150)
    );
    let FieldProperties::ReferenceTable(orders) = &form.properties["Orders"] else {
        panic!("Orders is a REFERENCE_TABLE")
    };
    assert_eq!(
        orders.reference_table.as_ref().and_then(|t| t.size),
        Some(ReferenceTablePropertiesReferenceTableSize::Show5)
    );
    // And the strings kintone itself writes still read.
    let form: FormFields = decode(json!({
        "revision": "2",
        "properties": {
            "Photo": { "type": "FILE", "code": "Photo", "thumbnailSize": "150" },
            "Amount": { "type": "NUMBER", "code": "Amount", "minValue": "", "displayScale": "2" }
        }
    }));
    let FieldProperties::File(photo) = &form.properties["Photo"] else {
        panic!("Photo is a FILE")
    };
    assert_eq!(
        photo.thumbnail_size,
        Some(FilePropertiesThumbnailSize::Px150)
    );
}

/// Layout sizes read from JSON numbers.
#[test]
fn layout_sizes_read_from_json_numbers() {
    let layout: FormLayout = decode(json!({
        "revision": "1",
        "layout": [
            { "type": "ROW", "fields": [
                { "type": "SINGLE_LINE_TEXT", "code": "Title", "size": { "width": 300 } },
                { "type": "SPACER", "elementId": "gap", "size": { "width": 40, "height": 20 } },
                { "type": "RICH_TEXT", "code": "Notes",
                  "size": { "width": 400, "height": 200, "innerHeight": 150 } }
            ] }
        ]
    }));
    let text = serde_json::to_value(&layout).unwrap();
    assert_eq!(text["layout"][0]["fields"][2]["size"]["innerHeight"], "150");
}

/// A yearly report's `dayOfMonth`, and graph and view indices, read from JSON numbers.
#[test]
fn report_days_and_indices_read_from_json_numbers() {
    let reports: Reports = decode(json!({
        "revision": "9",
        "reports": {
            "Yearly": {
                "name": "Yearly", "id": "4411", "index": 0, "chartType": "TABLE",
                "groups": [], "aggregations": [{ "type": "COUNT" }], "filterCond": "",
                "sorts": [{ "by": "TOTAL", "order": "DESC" }],
                "periodicReport": { "active": true,
                    "period": { "every": "YEAR", "month": 4, "dayOfMonth": 1, "time": "09:00" } }
            }
        }
    }));
    let period = &reports.reports["Yearly"]
        .periodic_report
        .as_ref()
        .expect("a periodic report")
        .period;
    assert_eq!(period.day_of_month.as_deref(), Some("1"));
    let views: Views = decode(json!({
        "revision": "4",
        "views": { "All": { "type": "LIST", "id": "1", "name": "All", "index": 0,
                            "fields": [], "filterCond": "", "sort": "" } }
    }));
    assert_eq!(u64::from(views.views["All"].index), 0);
}

/// Reminder timings read from the JSON strings kintone writes as from JSON numbers.
#[test]
fn reminder_timings_read_from_strings_and_numbers() {
    for (days, hours) in [(json!("-1"), json!("2")), (json!(-1), json!(2))] {
        let reminders: ReminderNotifications = decode(json!({
            "revision": "5", "timezone": "Asia/Tokyo",
            "notifications": [{
                "timing": { "code": "When", "daysLater": days, "hoursLater": hours },
                "filterCond": "", "title": "Soon",
                "targets": [{ "entity": { "type": "USER", "code": "alice" }, "includeSubs": false }]
            }]
        }));
        let timing = &reminders.notifications[0].timing;
        assert_eq!(timing.days_later, -1);
        assert_eq!(timing.hours_later, Some(2));
    }
}
