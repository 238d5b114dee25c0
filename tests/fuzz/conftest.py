def pytest_terminal_summary(terminalreporter):
    """The fuzzing's figures, for the closing note of a CI run: operations fuzzed and requests sent."""
    from tests.fuzz.test_api_fuzz import STATS

    if not STATS:
        return
    from tests.fuzz.test_api_fuzz import EXAMPLES_PER_ROLE, FLOOR

    operations = {name: per_role for name, per_role in STATS.items() if isinstance(per_role, dict)}
    stateful = {name: count for name, count in STATS.items() if not isinstance(count, dict)}
    terminalreporter.write_sep("-", "API fuzzing (schemathesis)")
    if operations:
        fewest = min(min(per_role.values()) for per_role in operations.values())
        terminalreporter.write_line(
            f"{len(operations)} operations fuzzed as {len(next(iter(operations.values())))} roles, "
            f"{sum(sum(p.values()) for p in operations.values())} requests sent; asked {EXAMPLES_PER_ROLE} per "
            f"operation and role, floor {FLOOR}, fewest sent for one operation and role: {fewest}"
        )
        for name, per_role in operations.items():
            terminalreporter.write_line(
                f"  {name}: {sum(per_role.values())} ({min(per_role.values())} fewest for a role)"
            )
    for name, count in stateful.items():
        terminalreporter.write_line(f"{name}: {count} downloads of deleted attachments answered 404")
