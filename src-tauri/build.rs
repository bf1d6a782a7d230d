fn main() {
    // Only these commands exist for the webview, and capabilities/ grants each by name.
    let commands = tauri_build::AppManifest::new().commands(&[
        "dashboard",
        "settings_form",
        "save_settings",
        "open_window",
        "timezones",
        "escalate_form",
        "file_escalation",
        "refused_escalations",
        "resend_escalation",
        "discard_escalation",
        "open_link",
        "window_ready",
        "typed_ahead",
        "escalations_panel",
        "escalation_action",
        "action_view",
        "handover_view",
        "hand_over",
        "add_to_calendar",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands)).expect("tauri build script");
}
