"""SOP step 1: check every channel periodically and list the new comments."""

from prefect import flow

from tanggap.settings import get_settings
from tasks.inventory import (
    close_check_run,
    fetch_new_comments,
    open_check_run,
    publish_inventory,
    record_channel_failure,
    store_comments,
)
from tasks.approval_queue import publish_approval_queue
from tasks.respond_runs import restart_stalled_cases, start_respond_runs
from tasks.spam_waves import restart_stalled_waves, start_spam_wave


@flow(name="check-comments", flow_run_name="periksa-komentar",
      description="Periksa semua kanal, simpan komentar baru, terbitkan Daftar Inventaris, mulai tanggapan.")
def check_comments() -> dict:
    """SOP step 1: check every channel, store new comments, publish the register, start each case's run."""
    check_run_id = open_check_run()
    for channel in get_settings().channels():
        fetched = fetch_new_comments(channel, return_state=True)
        if fetched.is_completed():
            store_comments(check_run_id, channel, fetched.result())
        else:  # one channel down never stops the others
            record_channel_failure(check_run_id, channel, str(fetched.result(raise_on_failure=False)))
    summary = close_check_run(check_run_id)
    publish_inventory(check_run_id)
    summary["respond_runs"] = start_respond_runs()  # spam excepted: it is never answered
    summary["spam_wave"] = start_spam_wave()  # all new spam in one waiting moderation run
    summary["restarted_runs"] = restart_stalled_cases()  # nothing waits forever on a passing error
    summary["restarted_waves"] = restart_stalled_waves()
    publish_approval_queue()
    return summary
