//! A JSON Schema (draft-07) of the preset format (`.harden.yaml`, presets, machine and user
//! policies), generated from the rule registry so that it can never name a rule that does not
//! exist: editors with yaml-language-server validate and complete files with it.

use crate::rules;
use serde_json::{Value, json};

/// The schema.
pub fn schema() -> Value {
    let ids: Vec<&str> = rules::ids().collect();
    let mut rule_props = serde_json::Map::new();
    for r in rules::REGISTRY.iter() {
        let m = r.meta();
        let actions: Vec<&str> = if m.fix.is_some() {
            vec!["fix", "deny", "warn", "off"]
        } else {
            vec!["deny", "warn", "off"]
        };
        rule_props.insert(
            m.id.to_string(),
            json!({"enum": actions, "description": m.title}),
        );
    }
    let caps: Vec<String> = crate::spec::KNOWN_CAPABILITIES
        .iter()
        .flat_map(|c| [c.to_string(), c.trim_start_matches("CAP_").to_string()])
        .collect();
    let reason = json!({"type": "string", "minLength": 1, "pattern": "\\S"});
    let abs_path = json!({"type": "string", "pattern": "^/"});
    let scalar = json!({"type": ["string", "number"]});
    let tmpfs_item = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["path", "reason"],
        "properties": {
            "path": abs_path,
            "uid": {"type": "integer", "minimum": 0},
            "gid": {"type": "integer", "minimum": 0},
            "mode": {"type": ["string", "integer"], "pattern": "^[0-7]+$"},
            "reason": reason
        }
    });
    let volume_item = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["path"],
        "properties": {"path": abs_path, "reason": {"type": "string"}}
    });
    let profile = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["reason"],
        "properties": {
            "reason": reason,
            "user": {"type": "string", "pattern": "^[1-9][0-9]*:[0-9]+$"},
            "tmpfs": {"type": "array", "items": tmpfs_item},
            "volumes": {"type": "array", "items": volume_item},
            "cap_add": {"type": "array", "items": {"enum": caps.clone()}}
        }
    });
    let images = json!({
        "type": "object",
        "description": "Image pattern -> what the image needs beyond the preset",
        "additionalProperties": profile
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/harden/harden/preset.schema.json",
        "title": "harden preset / policy (.harden.yaml)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "description": {"type": "string"},
            "extends": {"type": "string", "description": "A built-in preset (default, strict, baseline) or a path"},
            "user": {"type": ["string", "integer"], "description": "The non-root user to run as (uid:gid)"},
            "memory": {"type": ["string", "integer"], "description": "Memory limit (512m, 1g)"},
            "cpus": scalar,
            "pids_limit": {"type": "integer", "minimum": 1},
            "bind_ip": {"type": "string"},
            "tmpfs": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "paths": {"type": "array", "items": abs_path},
                    "options": {"type": "string"}
                }
            },
            "allowed_capabilities": {"type": "array", "items": {"enum": caps}},
            "rules": {
                "type": "object",
                "additionalProperties": false,
                "properties": rule_props
            },
            "waivers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["rules", "reason"],
                    "properties": {
                        "rules": {"type": "array", "minItems": 1, "items": {"enum": ids}},
                        "images": {"type": "array", "items": {"type": "string"}},
                        "services": {"type": "array", "items": {"type": "string"}},
                        "reason": reason
                    }
                }
            },
            "locked": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Rule ids or globs (host-*) that later policy layers may not turn down or waive"
            },
            "images": images
        }
    })
}
