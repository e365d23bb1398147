"""Business operations. Views, the CLI and jobs call these; they never render or encode."""
