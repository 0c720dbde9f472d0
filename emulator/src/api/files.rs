//! Files: uploads wait in temporary storage until a record attaches them; downloads serve
//! attached files.

use serde_json::{json, Value};

use super::context::{str_param, Ctx, Output, Upload};
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::Need;
use crate::domain::store::{random_key, TempFile};

pub fn upload(ctx: &mut Ctx, upload: Option<Upload>) -> Result<Value> {
    if !ctx.may_anywhere(Need::Add) && !ctx.may_anywhere(Need::Edit) {
        return Err(ctx.denied());
    }
    let upload = upload.ok_or_else(|| KintoneError::invalid("file", "Required field."))?;
    let ttl = ctx.config.temp_file_ttl;
    let now = ctx.config.clock.now();
    ctx.db
        .temp_files
        .retain(|_, f| now.saturating_duration_since(f.uploaded) < ttl);
    let key = random_key();
    ctx.db.temp_files.insert(
        key.clone(),
        TempFile {
            name: upload.name,
            content_type: upload.content_type,
            bytes: upload.bytes,
            uploaded: now,
        },
    );
    Ok(json!({"fileKey": key}))
}

/// Serves an attached file to a caller who may view the app whose record holds it.
pub fn download(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let key = str_param(params, "fileKey")
        .ok_or_else(|| KintoneError::invalid("fileKey", "Required field."))?;
    let file = ctx.db.attached_file(key).ok_or_else(|| {
        KintoneError::new(
            404,
            "GAIA_BL01",
            "The specified file does not exist.",
            "指定したファイルが見つかりません。",
        )
    })?;
    if !ctx.may(file.app, Need::View) {
        return Err(ctx.denied());
    }
    Ok(Output::File {
        content_type: file.content_type.clone(),
        name: file.name.clone(),
        bytes: file.bytes.clone(),
    })
}
