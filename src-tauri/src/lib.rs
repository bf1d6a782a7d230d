pub mod escalations;
pub mod secrets;
pub fn run() {}
