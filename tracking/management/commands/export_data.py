from planpromo.backup import export_data
from tracking.management.commands._backup import BackupCommand


class Command(BackupCommand):
    help = (
        "Back up everything (plans, periods, people and their organisations, reports with their target values, "
        "history and attachment files) to PATH: a new directory, or an archive if PATH ends in .zip, .tar, .tar.gz "
        "or .tgz. Restore with import_data. See README.md, Backups."
    )
    path_help = "where to write the backup (a directory, or .zip/.tar/.tar.gz/.tgz)"

    def run(self, path):
        return export_data(path)

    def done(self, manifest, path):
        rows = sum(manifest["models"].values())
        return (
            f"Backed up {rows} rows of {len(manifest['models'])} models and {len(manifest['files'])} files to {path}."
        )
