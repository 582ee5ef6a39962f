"""Texts for int8 calibration and its held-out check; deliberately disjoint from the test fixture.

CALIBRATION sets the per-channel activation ranges used to smooth outliers before quantization;
HELD_OUT measures the int8 graph against the fp32 one on texts the calibration never saw.
Each list ends with a few long passages so the ranges cover sequences of a realistic length.
"""

from __future__ import annotations


def _with_passages(texts: list[str], width: int, step: int) -> list[str]:
    return texts + [" ".join(texts[i : i + width]) for i in range(0, len(texts), step)]


CALIBRATION: list[str] = _with_passages(
    [
        "The quarterly report shows steady growth in the northern region.",
        "How do I configure the firewall to allow port 8080?",
        "She walked along the beach at sunset, collecting shells.",
        "Photosynthesis converts light energy into chemical energy in plants.",
        "Error: connection refused while contacting the database server at 10.0.0.12",
        "Les élèves ont visité le musée du Louvre hier après-midi.",
        "The recipe calls for two cups of flour, one egg and a pinch of salt.",
        "Quantum computers use qubits that can exist in superposition.",
        "for (let i = 0; i < items.length; i++) { total += items[i].price; }",
        "Der Zug nach München hat heute zwanzig Minuten Verspätung.",
        "Customer complained that the package arrived damaged and late.",
        "The court ruled that the contract was void due to misrepresentation.",
        "新しいスマートフォンは来月発売される予定です。",
        "Climate models predict rising sea levels over the next century.",
        "Patient presents with fever, cough and shortness of breath for three days.",
        "Stock prices fell 3.2% after the central bank raised interest rates.",
        "What is the capital of Australia?",
        "Breaking: local team wins championship after dramatic overtime finish!",
        "Kubernetes schedules pods onto nodes based on resource requests.",
        "The novel explores themes of memory, loss and reconciliation.",
    ],
    width=8,
    step=4,
)

HELD_OUT: list[str] = _with_passages(
    [
        "Volunteers planted three hundred trees in the park on Saturday morning.",
        "Can I return an item without the original receipt?",
        "The spacecraft entered orbit around Jupiter after a five-year journey.",
        "SELECT count(*) FROM orders GROUP BY region HAVING count(*) > 100;",
        "Mi abuela prepara la mejor paella de todo el pueblo.",
        "Symptoms include headache, nausea and sensitivity to light.",
        "The merger is expected to close in the second quarter pending regulatory approval.",
        "git rebase -i HEAD~3 lets you squash the last three commits.",
        "北京的秋天天气晴朗，非常适合旅游。",
        "A short one.",
        "Transformers rely on self-attention to model relationships between tokens.",
        "The orchestra performed Beethoven's ninth symphony to a sold-out hall.",
        "Temperature: 21.5°C, humidity 63%, wind 14 km/h NW.",
        "Please reset the router and wait thirty seconds before reconnecting.",
        "Ancient Rome's aqueducts supplied water to cities across the empire.",
    ],
    width=6,
    step=3,
)
