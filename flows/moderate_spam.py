"""A spam wave as one decision: the moderator settles all spam a check found in one waiting run.

The run waits for the moderator without holding a process; when resumed it starts again from
the top and reads the wave from the database, so a decision is recorded once and every
comment is hidden and archived once. Spam is never answered.
"""

from prefect import flow

from tasks.moderation import ask_moderator, record_moderation, undecided
from tasks.spam_settling import settle_wave


# No flow_run_name: the run is named for the inbox when created and when it waits (tasks/moderation.py).
@flow(name="moderate-spam")
def moderate_spam(wave_id: int) -> dict:
    """Moderasi gelombang spam: satu keputusan, lalu tiap komentar disembunyikan/ditutup dan diarsipkan."""
    if undecided(wave_id):
        record_moderation(wave_id, ask_moderator(wave_id))  # waits: sembunyikan / tutup, with exceptions
    return settle_wave(wave_id)  # each comment its own outcome and archive
