"""Words for the demo data: names, categories with their subjects and typical resolution."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCategory:
    name: str
    weight: float
    median_hours: float  # typical full resolution time
    kind_mix: tuple[float, float, float]  # faculty, staff, student
    subjects: tuple[str, ...]


CATEGORIES = (
    DemoCategory("Curriculum support", 0.30, 20, (0.55, 0.10, 0.35), (
        "Projector in room {room} shows no signal",
        "Cannot share screen to the classroom display in {room}",
        "Course site missing last week's recordings",
        "Clicker responses not syncing to the gradebook",
        "Lecture capture did not record in {room}",
        "Need help setting up an online quiz with {n} questions",
        "Document camera flickers in {room}",
    )),
    DemoCategory("Administrative technology", 0.25, 44, (0.20, 0.60, 0.20), (
        "Password reset for my university account",
        "Cannot connect to eduroam Wi-Fi on laptop",
        "Shared drive access for new staff member",
        "Multi-factor authentication phone replaced",
        "Printer on floor {n} says offline",
        "VPN disconnects every few minutes",
        "Email quota full, cannot send messages",
    )),
    DemoCategory("Facilities", 0.15, 70, (0.25, 0.45, 0.30), (
        "Room {room} too cold, thermostat not responding",
        "Broken chair and desk in {room}",
        "Door badge reader not working at entrance {n}",
        "Lights out in hallway outside {room}",
        "Power outlet dead at lab bench {n}",
    )),
    DemoCategory("Multimedia production", 0.15, 96, (0.35, 0.15, 0.50), (
        "Book the recording studio for {n} hours",
        "Camera kit checkout for a class project",
        "Need help editing a {n}-minute lecture video",
        "Return equipment: tripod and microphone",
        "Podcast audio has a hum, please help",
    )),
    DemoCategory("Event services", 0.15, 120, (0.30, 0.40, 0.30), (
        "AV support for a seminar in room {room} next week",
        "Livestream the department colloquium",
        "Microphones for a panel of {n} speakers",
        "Set up hybrid meeting equipment in {room}",
        "Event registration table needs laptops",
    )),
)

BUILDINGS = ("Main Hall", "Science Center", "Library", "Arts Building")
AGENT_COUNTS = {"student-worker": 20, "staff": 6, "supervisor": 1}

FIRST_NAMES = (
    "Aisha", "Ana", "Ben", "Bo", "Carlos", "Chen", "Dana", "Dmitri", "Elif", "Emma", "Farah",
    "Felix", "Grace", "Hana", "Ivan", "Jamal", "Jin", "Kai", "Lena", "Liam", "Maya", "Mateo",
    "Nia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Sofia", "Tariq", "Uma",
    "Victor", "Wei", "Xin", "Yara", "Yusuf", "Zoe", "Zoltán", "Chloé", "José", "Søren", "Łucja",
)
LAST_NAMES = (
    "Abbott", "Brown", "Chen", "Diaz", "Ekström", "Fischer", "García", "Haddad", "Ito", "Johnson",
    "Kowalski", "Li", "Martin", "Nguyen", "Okafor", "Patel", "Quispe", "Rossi", "Smith", "Tanaka",
    "Usman", "Varga", "Wang", "Xu", "Yamamoto", "Zhang", "Müller", "O'Brien", "Novák", "Santos",
)

REPLIES = (
    "Thanks for coming by. We reset the connection and it works again.",
    "We have logged this and a technician will visit the room today.",
    "Your password has been reset; you will be asked to choose a new one at first login.",
    "The equipment is reserved for you; pick it up at the front desk.",
    "This will take about a week; we will keep you posted here.",
    "Could you tell us the room number and the time it happened?",
)
NOTES = (
    "Checked the cable and the input source; firmware update pending.",
    "Escalated to facilities, work order opened.",
    "Requester prefers a phone call back.",
    "Same issue as last month in this room; see earlier ticket.",
)
