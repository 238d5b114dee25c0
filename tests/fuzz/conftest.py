def pytest_terminal_summary(terminalreporter):
    """The fuzzing's figures, for the closing note of a CI run: operations fuzzed and requests sent."""
    from tests.fuzz.test_api_fuzz import STATS

    if not STATS:
        return
    operations = {name: count for name, count in STATS.items() if not name.startswith("stateful")}
    stateful = {name: count for name, count in STATS.items() if name.startswith("stateful")}
    terminalreporter.write_sep("-", "API fuzzing (schemathesis)")
    terminalreporter.write_line(
        f"{len(operations)} operations fuzzed, {sum(operations.values())} examples run "
        f"(fewest for one operation: {min(operations.values(), default=0)})"
    )
    for name, count in stateful.items():
        terminalreporter.write_line(f"{name}: {count} downloads of deleted attachments answered 404")
