import json

from django.core.management.base import BaseCommand, CommandError

from ecom_common.events.dead_letters import DeadLetterNotReplayableError, dead_letter_replay
from ecom_common.models import DeadLetter


class Command(BaseCommand):
    help = "Lists, shows or replays the events this service's handlers could not apply."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="open dead letters (add --all for replayed ones too)")
        listing.add_argument("--all", action="store_true")
        sub.add_parser("show", help="one dead letter in full").add_argument("id")
        replay = sub.add_parser("replay", help="hand dead letters back to their handlers")
        replay.add_argument("ids", nargs="*")
        replay.add_argument("--all", action="store_true", help="every open dead letter")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_list(self, *, all, **options):
        dead_letters = DeadLetter.objects.all() if all else DeadLetter.objects.filter(replayed_at__isnull=True)
        for dead_letter in dead_letters:
            state = f"replayed {dead_letter.replayed_at:%Y-%m-%d %H:%M:%S}" if dead_letter.replayed_at else "open"
            self.stdout.write(
                f"{dead_letter.id}  {dead_letter.created_at:%Y-%m-%d %H:%M:%S}  {dead_letter.event_type:<28} "
                f"{dead_letter.handler}  attempts={dead_letter.attempts}  {state}"
            )
        self.stdout.write(f"{dead_letters.count()} dead letter(s)")

    def handle_show(self, *, id, **options):
        dead_letter = self._get(id)
        self.stdout.write(
            json.dumps(
                {
                    "id": str(dead_letter.id),
                    "handler": dead_letter.handler,
                    "attempts": dead_letter.attempts,
                    "created_at": dead_letter.created_at.isoformat(),
                    "replayed_at": dead_letter.replayed_at.isoformat() if dead_letter.replayed_at else None,
                    "error": dead_letter.error,
                    "envelope": dead_letter.envelope,
                },
                indent=2,
            )
        )

    def handle_replay(self, *, ids, all, **options):
        if not ids and not all:
            raise CommandError("name the dead letters to replay, or pass --all")
        dead_letters = (
            [self._get(dead_letter_id) for dead_letter_id in ids]
            if ids
            else list(DeadLetter.objects.filter(replayed_at__isnull=True))
        )
        for dead_letter in dead_letters:
            if dead_letter.replayed_at:
                raise CommandError(f"{dead_letter.id} was already replayed")
            try:
                dead_letter_replay(dead_letter)
            except DeadLetterNotReplayableError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"replayed {dead_letter.id} ({dead_letter.event_type} → {dead_letter.handler})")

    def _get(self, id) -> DeadLetter:
        try:
            return DeadLetter.objects.get(pk=id)
        except (DeadLetter.DoesNotExist, ValueError) as exc:
            raise CommandError(f"no dead letter {id}") from exc
