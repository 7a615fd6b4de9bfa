"""The approval queue gets a new artifact version only when the list changed."""

from prefect import flow, get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from db.models import CaseStatus, Channel, Comment, utcnow
from db.session import session_scope
from tasks.approval_queue import APPROVAL_QUEUE_ARTIFACT_KEY, refresh_approval_queue


def versions() -> int:
    with get_client(sync_client=True) as client:
        return len(client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[APPROVAL_QUEUE_ARTIFACT_KEY]))))


def test_a_refresh_that_changes_nothing_writes_no_new_version(prefect_api, tanggap_env):
    @flow
    def refresh_twice_then_add_a_case() -> list[int]:
        refresh_approval_queue()
        seen = [versions()]
        refresh_approval_queue()
        seen.append(versions())
        with session_scope() as session:
            channel = Channel(key="website", kind="wordpress", name="Website")
            session.add(Comment(channel=channel, external_id="9", thread_id="1", author_name="Peserta",
                                text="Kapan dibuka?", posted_at=utcnow(), raw_payload={},
                                status=CaseStatus.AWAITING_CORRECTION, respond_flow_run_id="x"))
        assert refresh_approval_queue() == 1
        seen.append(versions())
        return seen

    first, unchanged, changed = refresh_twice_then_add_a_case()
    assert unchanged == first and changed == first + 1


def test_a_list_a_racing_run_wrote_from_older_data_is_replaced_by_the_current_one(prefect_api, tanggap_env):
    from prefect.artifacts import Artifact, create_markdown_artifact

    @flow
    def racing_run_then_refresh() -> str:
        refresh_approval_queue()
        current = Artifact.get(APPROVAL_QUEUE_ARTIFACT_KEY).data
        create_markdown_artifact(key=APPROVAL_QUEUE_ARTIFACT_KEY, markdown="## Antrean persetujuan (lama)\n")
        refresh_approval_queue()
        return current

    current = racing_run_then_refresh()
    assert Artifact.get(APPROVAL_QUEUE_ARTIFACT_KEY).data == current
