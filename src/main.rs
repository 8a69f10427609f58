fn main() -> std::process::ExitCode {
    infrapulse::cli::run()
}
