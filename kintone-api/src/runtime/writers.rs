//! Writers that generated code fills with a request's parameters.

use std::fmt::Display;

use crate::FilePart;

/// Query-string parameters, URL-encoded as kintone documents: `+` for a space, every reserved
/// character percent-encoded, arrays as indexed keys (`fields[0]=a` becomes `fields%5B0%5D=a`).
#[derive(Debug, Default)]
pub struct QueryWriter {
    encoded: String,
}

impl QueryWriter {
    fn serializer(&mut self) -> url::form_urlencoded::Serializer<'_, &mut String> {
        url::form_urlencoded::Serializer::for_suffix(&mut self.encoded, 0)
    }

    /// `key=value`.
    pub fn push(&mut self, key: &str, value: &impl Display) {
        self.serializer().append_pair(key, &value.to_string());
    }

    /// `key=value`, when the value is set.
    pub fn push_optional(&mut self, key: &str, value: Option<&impl Display>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }

    /// `key[0]=a&key[1]=b`.
    pub fn push_indexed<'v, T: Display + 'v>(
        &mut self,
        key: &str,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        for (i, v) in values.into_iter().enumerate() {
            let indexed = format!("{key}[{i}]");
            self.serializer().append_pair(&indexed, &v.to_string());
        }
    }

    /// `key=a&key=b`.
    pub fn push_repeated<'v, T: Display + 'v>(
        &mut self,
        key: &str,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        for v in values {
            self.serializer().append_pair(key, &v.to_string());
        }
    }

    /// The encoded query string, without the leading `?`.
    pub fn finish(self) -> String {
        self.encoded
    }
}

/// Header parameters of one request.
#[derive(Debug, Default)]
pub struct HeaderWriter {
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl HeaderWriter {
    pub fn push(&mut self, name: &'static str, value: &impl Display) {
        self.headers.push((name, value.to_string()));
    }

    /// The header, when its value is set.
    pub fn push_optional(&mut self, name: &'static str, value: Option<&impl Display>) {
        if let Some(value) = value {
            self.push(name, value);
        }
    }
}

/// Parts of a multipart body.
#[derive(Debug, Default)]
pub struct MultipartWriter {
    pub(crate) parts: Vec<(&'static str, FilePart)>,
}

impl MultipartWriter {
    pub fn push(&mut self, name: &'static str, file: &FilePart) {
        self.parts.push((name, file.clone()));
    }

    /// The part, when its file is set.
    pub fn push_optional(&mut self, name: &'static str, file: Option<&FilePart>) {
        if let Some(file) = file {
            self.push(name, file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::QueryWriter;

    /// O13: the overview's own example, byte for byte.
    #[test]
    fn query_values_are_form_url_encoded() {
        let mut q = QueryWriter::default();
        q.push("app", &1);
        q.push("query", &"Updated_datetime > 2024-10-01T09:00:00+0900");
        assert_eq!(
            q.finish(),
            "app=1&query=Updated_datetime+%3E+2024-10-01T09%3A00%3A00%2B0900"
        );

        let mut q = QueryWriter::default();
        q.push("query", &r#"Updated_datetime > "2024-10-01T09:00:00+0900""#);
        assert_eq!(
            q.finish(),
            "query=Updated_datetime+%3E+%222024-10-01T09%3A00%3A00%2B0900%22"
        );
    }

    /// O14: arrays become indexed keys, each key and value encoded.
    #[test]
    fn arrays_become_indexed_keys() {
        let mut q = QueryWriter::default();
        q.push("app", &1);
        q.push_indexed("fields", &["Record_Id".to_string(), "Dropdown".to_string()]);
        assert_eq!(
            q.finish(),
            "app=1&fields%5B0%5D=Record_Id&fields%5B1%5D=Dropdown"
        );
        // The overview prints the unencoded form encoded as one string; that is the same bytes.
        let whole: String =
            url::form_urlencoded::byte_serialize(b"fields[0]=Record_Id&fields[1]=Dropdown")
                .collect();
        assert_eq!(
            whole,
            "fields%5B0%5D%3DRecord_Id%26fields%5B1%5D%3DDropdown"
        );
    }
}
