from planpromo.backup import import_data
from tracking.management.commands._backup import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup written by export_data (a directory or a .zip/.tar/.tar.gz/.tgz archive) into an empty, "
        "migrated database: every row with its primary key, and the attachment files. All or nothing."
    )
    path_help = "the backup to restore"

    def run(self, path):
        return import_data(path)

    def done(self, manifest, path):
        rows = sum(manifest["models"].values())
        return f"Restored {rows} rows and {len(manifest['files'])} files from {path} ({manifest['created']})."
