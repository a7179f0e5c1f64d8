"""What the demo government is made of: its agencies, services, metrics, actions and offices.

Plain data only; ``data.demo`` turns it into rows. The figures here are the *starting
conditions* of a simulation (typical volumes, base satisfaction, contact-centre capacity),
not published results: the published numbers come out of the simulation, with seasonality,
noise and the effect of the actions below.

Times in this module are in months relative to the demo's "today" (0 is today's month,
-12 a year earlier), so the story keeps its shape whatever fiscal calendar is configured.
With the default "today" (30 September 2026) the offsets land on real events: month -41 is
April 2023, when Medicaid renewals resumed, and month -16 is May 2025, the REAL ID deadline.

Place names, addresses and 555-01xx phone numbers are fictional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

GOVERNMENT_NAME_EN = "State of Example"
GOVERNMENT_NAME_ES = "Estado de Ejemplo"
ENTERPRISE_SLUG = "enterprise"
WEBSITE = "https://example.gov"


@dataclass(frozen=True)
class MetricSpec:
    code: str
    name_en: str
    name_es: str
    dimension: str
    scale: str
    direction: str
    definition_en: str
    definition_es: str
    method_en: str
    method_es: str
    data_source_en: str
    data_source_es: str
    target_setting_en: str
    target_setting_es: str
    is_survey: bool = False
    norm_best: float | None = None
    norm_worst: float | None = None
    #: The headline measure of its dimension (set in the catalogue, see Metric.headline).
    headline: bool = False


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        code="csat_overall",
        headline=True,
        name_en="Overall satisfaction",
        name_es="Satisfacción general",
        dimension="satisfaction",
        scale="fraction",
        direction="higher",
        is_survey=True,
        definition_en=(
            "Share of survey respondents who agree or strongly agree (4 or 5 on a 1–5 scale) "
            "with the statement “I am satisfied with the service I received.”"
        ),
        definition_es=(
            "Proporción de personas encuestadas que están de acuerdo o muy de acuerdo (4 o 5 en "
            "una escala de 1 a 5) con la afirmación «Estoy satisfecho con el servicio que "
            "recibí»."
        ),
        method_en=(
            "Post-transaction survey following OMB Circular A-11, Section 280. Agreeing "
            "responses divided by all valid responses in the quarter. An agency's result pools "
            "the responses of all its services. Results based on few responses are flagged."
        ),
        method_es=(
            "Encuesta posterior al trámite según la Circular A-11 de la OMB, sección 280. "
            "Respuestas de acuerdo divididas entre todas las respuestas válidas del trimestre. "
            "El resultado de una agencia agrupa las respuestas de todos sus servicios. Se "
            "señalan los resultados basados en pocas respuestas."
        ),
        data_source_en="Customer survey sent by email or text after each completed transaction.",
        data_source_es=(
            "Encuesta a clientes enviada por correo electrónico o mensaje de texto después de "
            "cada trámite completado."
        ),
        target_setting_en=(
            "Set from the baseline year; raised when a service meets its target for four "
            "quarters in a row."
        ),
        target_setting_es=(
            "Se fija a partir del año de línea de base; se eleva cuando un servicio cumple su "
            "meta durante cuatro trimestres seguidos."
        ),
    ),
    MetricSpec(
        code="trust",
        name_en="Trust",
        name_es="Confianza",
        dimension="satisfaction",
        scale="fraction",
        direction="higher",
        is_survey=True,
        definition_en=(
            "Share of respondents who agree or strongly agree that “This interaction increased "
            "my trust in the agency.”"
        ),
        definition_es=(
            "Proporción de personas encuestadas que están de acuerdo o muy de acuerdo con «Esta "
            "interacción aumentó mi confianza en la agencia»."
        ),
        method_en=(
            "Asked in the same quarterly survey as overall satisfaction and reported for each "
            "agency as a whole. A change in the wording of the question starts a new series."
        ),
        method_es=(
            "Se pregunta en la misma encuesta trimestral que la satisfacción general y se "
            "reporta para cada agencia en su conjunto. Un cambio en la redacción de la pregunta "
            "inicia una serie nueva."
        ),
        data_source_en="Quarterly customer survey (A-11 trust question).",
        data_source_es="Encuesta trimestral a clientes (pregunta de confianza de la A-11).",
        target_setting_en=(
            "Agencies with a low starting point commit to a 10% improvement instead of a fixed "
            "level."
        ),
        target_setting_es=(
            "Las agencias con un punto de partida bajo se comprometen a mejorar un 10% en "
            "lugar de alcanzar un nivel fijo."
        ),
    ),
    MetricSpec(
        code="ease",
        name_en="Ease",
        name_es="Facilidad",
        dimension="satisfaction",
        scale="mean_1_5",
        direction="higher",
        is_survey=True,
        definition_en=(
            "Average agreement, from 1 (strongly disagree) to 5 (strongly agree), with “It was "
            "easy to complete what I needed to do.”"
        ),
        definition_es=(
            "Promedio de acuerdo, de 1 (muy en desacuerdo) a 5 (muy de acuerdo), con «Fue "
            "fácil completar lo que necesitaba hacer»."
        ),
        method_en=(
            "Mean of all valid answers in the quarter; an agency's mean weights each service by "
            "its number of responses."
        ),
        method_es=(
            "Promedio de todas las respuestas válidas del trimestre; el promedio de una agencia "
            "pondera cada servicio por su número de respuestas."
        ),
        data_source_en="Quarterly customer survey (A-11 ease driver).",
        data_source_es="Encuesta trimestral a clientes (factor de facilidad de la A-11).",
        target_setting_en="An average of 4.0 (agree) or better.",
        target_setting_es="Un promedio de 4.0 (de acuerdo) o más.",
    ),
    MetricSpec(
        code="accuracy_rate",
        headline=True,
        name_en="Accuracy rate",
        name_es="Tasa de exactitud",
        dimension="accuracy",
        scale="fraction",
        direction="higher",
        definition_en=(
            "Share of cases processed without an error that had to be corrected, in a random "
            "quality-review sample."
        ),
        definition_es=(
            "Proporción de casos tramitados sin un error que hubiera que corregir, en una "
            "muestra aleatoria de revisión de calidad."
        ),
        method_en=(
            "Quality reviewers re-check a random sample of the cases completed each quarter "
            "against the program rules. Error-free cases divided by cases reviewed."
        ),
        method_es=(
            "Revisores de calidad vuelven a comprobar una muestra aleatoria de los casos "
            "completados cada trimestre según las reglas del programa. Casos sin error "
            "divididos entre casos revisados."
        ),
        data_source_en="Quality-review module of the case management system.",
        data_source_es="Módulo de revisión de calidad del sistema de gestión de casos.",
        target_setting_en="95% or better; 97% where the baseline was already above 96%.",
        target_setting_es="95% o más; 97% cuando la línea de base ya superaba el 96%.",
    ),
    MetricSpec(
        code="timeliness_standard",
        headline=True,
        name_en="Service standard met",
        name_es="Estándar de servicio cumplido",
        dimension="timeliness",
        scale="fraction",
        direction="higher",
        definition_en=(
            "Share of requests completed within the posted service standard, for example "
            "“within 10 business days.”"
        ),
        definition_es=(
            "Proporción de solicitudes completadas dentro del estándar de servicio publicado, "
            "por ejemplo «en un plazo de 10 días hábiles»."
        ),
        method_en=(
            "Requests completed in the quarter that met the standard, divided by all requests "
            "completed in the quarter. Business days leave out weekends and state holidays."
        ),
        method_es=(
            "Solicitudes completadas en el trimestre que cumplieron el estándar, divididas "
            "entre todas las solicitudes completadas en el trimestre. Los días hábiles excluyen "
            "los fines de semana y los días feriados estatales."
        ),
        data_source_en="Case management and permitting systems (date received and date completed).",
        data_source_es=(
            "Sistemas de gestión de casos y de permisos (fecha de recepción y fecha de "
            "finalización)."
        ),
        target_setting_en=(
            "Each service posts its own standard and target share; targets are raised only at "
            "the start of a fiscal year."
        ),
        target_setting_es=(
            "Cada servicio publica su propio estándar y su proporción meta; las metas solo se "
            "elevan al comienzo de un año fiscal."
        ),
    ),
    MetricSpec(
        code="processing_days",
        name_en="Average processing time",
        name_es="Tiempo promedio de tramitación",
        dimension="timeliness",
        scale="business_days",
        direction="lower",
        norm_best=0.0,
        norm_worst=30.0,
        definition_en=(
            "Average number of business days from a complete request to a decision or delivery."
        ),
        definition_es=(
            "Número promedio de días hábiles desde una solicitud completa hasta la decisión o "
            "la entrega."
        ),
        method_en=(
            "Mean over all requests completed in the quarter. Days waiting for the customer to "
            "send missing documents are not counted. Scored 100 at 0 days and 0 at 30 days."
        ),
        method_es=(
            "Promedio de todas las solicitudes completadas en el trimestre. No se cuentan los "
            "días de espera de documentos que faltan del cliente. Vale 100 con 0 días y 0 con "
            "30 días."
        ),
        data_source_en="Case management and permitting systems.",
        data_source_es="Sistemas de gestión de casos y de permisos.",
        target_setting_en=(
            "Below the posted standard; services new to measuring commit to a 10% improvement "
            "over their baseline year."
        ),
        target_setting_es=(
            "Por debajo del estándar publicado; los servicios que empiezan a medir se "
            "comprometen a mejorar un 10% respecto a su año de línea de base."
        ),
    ),
    MetricSpec(
        code="ack_within_1bd",
        headline=True,
        name_en="Messages acknowledged within one business day",
        name_es="Mensajes con acuse de recibo en un día hábil",
        dimension="responsiveness",
        scale="fraction",
        direction="higher",
        definition_en=(
            "Share of voicemails, text messages, emails and web-form messages acknowledged "
            "within one business day of receipt. Spam and phishing are not counted."
        ),
        definition_es=(
            "Proporción de mensajes de voz, mensajes de texto, correos electrónicos y mensajes "
            "de formularios web con acuse de recibo dentro de un día hábil desde su recepción. "
            "No se cuentan el correo no deseado ni el phishing."
        ),
        method_en=(
            "Time received and time of the first reply come from the phone and email systems. "
            "The clock counts business days, so a message received on Friday afternoon is on "
            "time if acknowledged by the end of Monday (or Tuesday after a holiday)."
        ),
        method_es=(
            "La hora de recepción y la de la primera respuesta provienen de los sistemas de "
            "teléfono y de correo. El reloj cuenta días hábiles: un mensaje recibido el viernes "
            "por la tarde llega a tiempo si se acusa recibo antes del final del lunes (o del "
            "martes después de un día feriado)."
        ),
        data_source_en="Contact-centre platform and shared mailboxes.",
        data_source_es="Plataforma del centro de contacto y buzones compartidos.",
        target_setting_en=(
            "The responsiveness policy took effect at the start of a fiscal year; its first "
            "year set the baseline and the target has been 95% since."
        ),
        target_setting_es=(
            "La política de capacidad de respuesta entró en vigor al comienzo de un año "
            "fiscal; su primer año fijó la línea de base y desde entonces la meta es del 95%."
        ),
    ),
    MetricSpec(
        code="service_level_60s",
        headline=True,
        name_en="Calls answered within 60 seconds",
        name_es="Llamadas contestadas en 60 segundos",
        dimension="access",
        scale="percent",
        direction="higher",
        definition_en=(
            "Percentage of calls offered to an agent that were answered within 60 seconds."
        ),
        definition_es=(
            "Porcentaje de las llamadas dirigidas a un agente que se contestaron en 60 segundos."
        ),
        method_en=(
            "Calls answered within 60 seconds divided by all calls offered to the agent queue, "
            "including calls abandoned while waiting. Calls ended in the recorded greeting are "
            "not counted."
        ),
        method_es=(
            "Llamadas contestadas en 60 segundos divididas entre todas las llamadas dirigidas a "
            "la cola de agentes, incluidas las abandonadas durante la espera. No se cuentan las "
            "llamadas que terminan en el saludo grabado."
        ),
        data_source_en="Automatic call distributor reports.",
        data_source_es="Informes del distribuidor automático de llamadas.",
        target_setting_en="The industry standard of 80% of calls within 60 seconds.",
        target_setting_es="El estándar del sector: el 80% de las llamadas en 60 segundos.",
    ),
    MetricSpec(
        code="avg_speed_answer",
        name_en="Average speed of answer",
        name_es="Tiempo promedio de respuesta",
        dimension="access",
        scale="seconds",
        direction="lower",
        norm_best=0.0,
        norm_worst=600.0,
        definition_en="Average time callers wait in the queue before an agent answers.",
        definition_es=(
            "Tiempo promedio que esperan las personas en la cola antes de que conteste un agente."
        ),
        method_en=(
            "Total queue time of answered calls divided by the number of answered calls. "
            "Scored 100 at 0 seconds and 0 at 10 minutes."
        ),
        method_es=(
            "Tiempo total en cola de las llamadas contestadas dividido entre el número de "
            "llamadas contestadas. Vale 100 con 0 segundos y 0 con 10 minutos."
        ),
        data_source_en="Automatic call distributor reports.",
        data_source_es="Informes del distribuidor automático de llamadas.",
        target_setting_en="Two minutes or less.",
        target_setting_es="Dos minutos o menos.",
    ),
    MetricSpec(
        code="abandon_rate",
        name_en="Abandoned calls",
        name_es="Llamadas abandonadas",
        dimension="access",
        scale="percent",
        direction="lower",
        definition_en="Percentage of callers who hung up while waiting for an agent.",
        definition_es="Porcentaje de personas que colgaron mientras esperaban a un agente.",
        method_en=(
            "Calls abandoned in the queue after 5 seconds divided by all calls offered to the "
            "queue."
        ),
        method_es=(
            "Llamadas abandonadas en la cola después de 5 segundos divididas entre todas las "
            "llamadas dirigidas a la cola."
        ),
        data_source_en="Automatic call distributor reports.",
        data_source_es="Informes del distribuidor automático de llamadas.",
        target_setting_en="8% or less.",
        target_setting_es="8% o menos.",
    ),
    MetricSpec(
        code="contacts_received",
        name_en="Contacts received",
        name_es="Contactos recibidos",
        dimension="other",
        scale="count",
        direction="higher",
        definition_en=(
            "Number of calls, voicemails, text messages, emails and web-form messages received "
            "in the month."
        ),
        definition_es=(
            "Número de llamadas, mensajes de voz, mensajes de texto, correos electrónicos y "
            "mensajes de formularios web recibidos en el mes."
        ),
        method_en=(
            "Counted by channel; spam and phishing are removed. Volume is context for the other "
            "measures and has no target or score."
        ),
        method_es=(
            "Se cuentan por canal; se eliminan el correo no deseado y el phishing. El volumen da "
            "contexto a las demás medidas y no tiene meta ni puntuación."
        ),
        data_source_en="Contact-centre platform and shared mailboxes.",
        data_source_es="Plataforma del centro de contacto y buzones compartidos.",
        target_setting_en="No target: volume is reported for context.",
        target_setting_es="Sin meta: el volumen se reporta como contexto.",
    ),
    MetricSpec(
        code="staff_trained_cx",
        name_en="Staff trained in customer experience",
        name_es="Personal capacitado en experiencia del cliente",
        dimension="other",
        scale="fraction",
        direction="higher",
        definition_en=(
            "Share of front-line and supervisory staff who have completed the customer "
            "experience course."
        ),
        definition_es=(
            "Proporción del personal de primera línea y de supervisión que ha completado el "
            "curso de experiencia del cliente."
        ),
        method_en="Staff with a completion record divided by staff on the payroll at year end.",
        method_es=(
            "Personal con registro de finalización dividido entre el personal en nómina al "
            "cierre del año."
        ),
        data_source_en="Learning management system and payroll.",
        data_source_es="Sistema de gestión del aprendizaje y nómina.",
        target_setting_en="Half of all staff trained, after a baseline year.",
        target_setting_es=(
            "La mitad de todo el personal capacitado, después de un año de línea de base."
        ),
    ),
)


@dataclass(frozen=True)
class ServiceSpec:
    """A service or program office and the starting conditions of its simulated results."""

    slug: str
    code: str
    name_en: str
    name_es: str
    description_en: str
    description_es: str
    #: Typical requests completed per quarter (before seasonality).
    volume: int
    #: Typical survey responses per quarter; ignored for small services.
    responses: int
    response_rate: float
    #: Base share of satisfied respondents.
    csat: float
    #: Base accuracy, share within the standard and mean processing days; None: not measured.
    accuracy: float | None = None
    timeliness: float | None = None
    processing_days: float | None = None
    #: The posted service standard; required when ``timeliness`` is measured.
    promise_en: str | None = None
    promise_es: str | None = None
    standard_days: float | None = None
    timeliness_target: float = 0.80
    #: A lower target that applied before the one above (raised at a fiscal year start).
    timeliness_target_before: float | None = None
    ease: bool = True
    #: Metric code -> fiscal years after the first demo year when measuring began.
    late: Mapping[str, int] = field(default_factory=dict)
    #: A low-volume office whose surveys get few responses (small samples).
    small: bool = False
    #: Quarter positions (0 = first quarter of the demo) with no results at all.
    gaps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Office:
    label_en: str
    label_es: str
    address: str
    #: None: the standard business hours from the settings.
    hours_en: str | None = None
    hours_es: str | None = None


@dataclass(frozen=True)
class Surge:
    """Extra demand between two months (inclusive, relative to today's month)."""

    first: int
    last: int
    factor: float


@dataclass(frozen=True)
class AgencySpec:
    slug: str
    code: str
    name_en: str
    name_es: str
    description_en: str
    description_es: str
    #: Calls offered per month before seasonality.
    monthly_calls: int
    #: Agent capacity relative to ``monthly_calls`` (1.25: room for 25% more calls).
    capacity: float
    #: Demand by calendar month, January first (normalized to a mean of 1).
    season: tuple[float, ...]
    #: Written and voice-message contacts per call, by channel.
    written: Mapping[str, float]
    ack: float
    trust: float
    #: Share of survey respondents answering in Spanish, and how much less satisfied they are.
    spanish_share: float
    spanish_gap: float
    #: Yearly change in agent capacity (staffing and tools), as a share.
    capacity_trend: float
    phone_number: str
    offices: tuple[Office, ...]
    languages: str
    services: tuple[ServiceSpec, ...]
    surges: tuple[Surge, ...] = ()
    video: bool = False
    text_line: bool = False
    #: Trust target: "numeric" (a level) or "improve" (≥10% over the baseline).
    trust_target: str = "numeric"


#: Office hours that differ from the standard business hours (English, Spanish).
SATURDAY_HOURS = (
    "Mon–Fri 8:00 a.m.–5:00 p.m.; Sat 9:00 a.m.–1:00 p.m.",
    "lun.–vie. 8:00–17:00; sáb. 9:00–13:00",
)
EXTENDED_HOURS = ("Mon–Fri 7:30 a.m.–6:00 p.m.", "lun.–vie. 7:30–18:00")

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        slug="dmv",
        code="DMV",
        name_en="Department of Motor Vehicles",
        name_es="Departamento de Vehículos Motorizados",
        description_en="Driver licenses, ID cards, vehicle registration and titles.",
        description_es=(
            "Licencias de conducir, tarjetas de identificación, registro y títulos de vehículos."
        ),
        monthly_calls=62_000,
        capacity=1.12,
        season=(0.95, 0.92, 1.0, 1.02, 1.05, 1.15, 1.18, 1.12, 0.98, 0.92, 0.85, 0.86),
        written={"email": 0.10, "web_form": 0.22, "voicemail": 0.06, "text": 0.05},
        ack=0.90,
        trust=0.62,
        spanish_share=0.22,
        spanish_gap=0.06,
        capacity_trend=0.01,
        phone_number="(800) 555-0101",
        offices=(
            Office(
                "Capitol City DMV Office",
                "Oficina del DMV de Capitol City",
                "1200 Capitol Avenue, Capitol City, EX 90001",
                *SATURDAY_HOURS,
            ),
            Office(
                "Eastside DMV Office",
                "Oficina del DMV de Eastside",
                "455 Harbor Road, Eastport, EX 90230",
            ),
            Office(
                "Northfield DMV Office",
                "Oficina del DMV de Northfield",
                "78 Mill Street, Northfield, EX 90412",
            ),
        ),
        languages="en,es,vi,zh",
        video=True,
        text_line=True,
        surges=(Surge(-20, -16, 1.25),),  # the REAL ID deadline rush
        services=(
            ServiceSpec(
                slug="driver-license-renewal",
                code="DMV-DLR",
                name_en="Driver License Renewal",
                name_es="Renovación de la licencia de conducir",
                description_en="Renew a driver license online, by mail or at an office.",
                description_es=(
                    "Renueve su licencia de conducir en línea, por correo o en una oficina."
                ),
                volume=180_000,
                responses=1_400,
                response_rate=0.12,
                csat=0.78,
                accuracy=0.97,
                timeliness=0.80,
                processing_days=7.5,
                promise_en="We mail your renewed license within 10 business days.",
                promise_es=(
                    "Le enviamos por correo su licencia renovada en un plazo de 10 días hábiles."
                ),
                standard_days=10,
                timeliness_target=0.85,
            ),
            ServiceSpec(
                slug="vehicle-registration",
                code="DMV-VR",
                name_en="Vehicle Registration",
                name_es="Registro de vehículos",
                description_en="Register a vehicle or renew its registration and plates.",
                description_es="Registre un vehículo o renueve su registro y sus placas.",
                volume=420_000,
                responses=2_100,
                response_rate=0.09,
                csat=0.82,
                timeliness=0.86,
                processing_days=3.2,
                promise_en="We process mailed registration renewals within 5 business days.",
                promise_es=(
                    "Tramitamos las renovaciones de registro enviadas por correo en un plazo de "
                    "5 días hábiles."
                ),
                standard_days=5,
                timeliness_target=0.90,
                timeliness_target_before=0.85,
            ),
            ServiceSpec(
                slug="real-id",
                code="DMV-RID",
                name_en="REAL ID Appointments",
                name_es="Citas para REAL ID",
                description_en="Book an office appointment to get a REAL ID-compliant card.",
                description_es=(
                    "Reserve una cita en una oficina para obtener una tarjeta que cumple con "
                    "REAL ID."
                ),
                volume=60_000,
                responses=700,
                response_rate=0.15,
                csat=0.71,
                timeliness=0.70,
                promise_en="We offer an appointment within 15 business days of your request.",
                promise_es=(
                    "Le ofrecemos una cita en un plazo de 15 días hábiles a partir de su solicitud."
                ),
                standard_days=15,
                late={"csat_overall": 1, "ease": 1},
            ),
            ServiceSpec(
                slug="title-transfers",
                code="DMV-TT",
                name_en="Vehicle Title Transfers",
                name_es="Transferencias de título de vehículos",
                description_en="Transfer a vehicle title after a sale, gift or inheritance.",
                description_es=(
                    "Transfiera el título de un vehículo después de una venta, una donación o "
                    "una herencia."
                ),
                volume=95_000,
                responses=500,
                response_rate=0.10,
                csat=0.74,
                accuracy=0.95,
                timeliness=0.74,
                processing_days=14.0,
                promise_en="We issue your new title within 20 business days.",
                promise_es="Emitimos su nuevo título en un plazo de 20 días hábiles.",
                standard_days=20,
            ),
        ),
    ),
    AgencySpec(
        slug="revenue",
        code="DOR",
        name_en="Department of Revenue",
        name_es="Departamento de Hacienda",
        description_en="State taxes: filing, refunds, payments and business tax accounts.",
        description_es=(
            "Impuestos estatales: declaraciones, reembolsos, pagos y cuentas de impuestos de "
            "empresas."
        ),
        monthly_calls=48_000,
        capacity=1.45,
        season=(1.25, 1.6, 1.75, 1.65, 0.95, 0.8, 0.7, 0.7, 0.75, 0.85, 0.7, 0.65),
        written={"email": 0.14, "web_form": 0.18, "voicemail": 0.08},
        ack=0.84,
        trust=0.55,
        spanish_share=0.12,
        spanish_gap=0.05,
        capacity_trend=0.015,
        phone_number="(800) 555-0102",
        offices=(
            Office(
                "Taxpayer Service Center",
                "Centro de Atención al Contribuyente",
                "900 State Street, Capitol City, EX 90001",
                *EXTENDED_HOURS,
            ),
        ),
        languages="en,es",
        video=True,
        trust_target="improve",
        services=(
            ServiceSpec(
                slug="tax-refunds",
                code="DOR-REF",
                name_en="Individual Income Tax Refunds",
                name_es="Reembolsos del impuesto sobre la renta personal",
                description_en="Refunds of state income tax for individuals and families.",
                description_es=(
                    "Reembolsos del impuesto estatal sobre la renta para personas y familias."
                ),
                volume=650_000,
                responses=2_600,
                response_rate=0.07,
                csat=0.76,
                accuracy=0.985,
                timeliness=0.84,
                processing_days=9.0,
                promise_en="We issue refunds for e-filed returns within 15 business days.",
                promise_es=(
                    "Emitimos los reembolsos de las declaraciones presentadas por vía "
                    "electrónica en un plazo de 15 días hábiles."
                ),
                standard_days=15,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="business-tax-registration",
                code="DOR-BTR",
                name_en="Business Tax Registration",
                name_es="Registro de impuestos para empresas",
                description_en="Open a sales, withholding or business tax account.",
                description_es=(
                    "Abra una cuenta de impuesto sobre las ventas, de retenciones o de "
                    "impuestos empresariales."
                ),
                volume=9_000,
                responses=260,
                response_rate=0.18,
                csat=0.83,
                timeliness=0.91,
                processing_days=1.8,
                promise_en="We register your business within 3 business days.",
                promise_es="Registramos su empresa en un plazo de 3 días hábiles.",
                standard_days=3,
                timeliness_target=0.90,
                late={"processing_days": 2},
            ),
            ServiceSpec(
                slug="payment-plans",
                code="DOR-PP",
                name_en="Tax Payment Plans",
                name_es="Planes de pago de impuestos",
                description_en="Pay a tax balance in monthly installments.",
                description_es="Pague un saldo de impuestos en cuotas mensuales.",
                volume=14_000,
                responses=320,
                response_rate=0.14,
                csat=0.69,
                accuracy=0.96,
            ),
            ServiceSpec(
                slug="property-tax-relief",
                code="DOR-PTR",
                name_en="Property Tax Relief for Seniors",
                name_es="Alivio del impuesto predial para personas mayores",
                description_en=(
                    "Property tax deferral and exemptions for seniors and people with disabilities."
                ),
                description_es=(
                    "Aplazamiento y exenciones del impuesto predial para personas mayores y "
                    "personas con discapacidad."
                ),
                volume=6_000,
                responses=150,
                response_rate=0.22,
                csat=0.80,
                timeliness=0.78,
                processing_days=21.0,
                promise_en="We decide your application within 30 business days.",
                promise_es="Resolvemos su solicitud en un plazo de 30 días hábiles.",
                standard_days=30,
                late={"csat_overall": 2, "ease": 2},
            ),
        ),
    ),
    AgencySpec(
        slug="labor",
        code="DLI",
        name_en="Department of Labor and Industry",
        name_es="Departamento de Trabajo e Industria",
        description_en="Wage protection, workers' compensation and apprenticeships.",
        description_es="Protección salarial, compensación laboral y programas de aprendizaje.",
        monthly_calls=21_000,
        capacity=1.15,
        season=(1.08, 1.05, 1.02, 1.0, 0.98, 0.97, 0.98, 0.98, 0.98, 1.0, 0.98, 0.98),
        written={"email": 0.20, "web_form": 0.15, "voicemail": 0.12},
        ack=0.76,
        trust=0.60,
        spanish_share=0.18,
        spanish_gap=0.07,
        capacity_trend=0.01,
        phone_number="(800) 555-0103",
        offices=(
            Office(
                "Labor and Industry Service Center",
                "Centro de Servicios de Trabajo e Industria",
                "310 Union Avenue, Riverside, EX 90118",
            ),
        ),
        languages="en,es",
        services=(
            ServiceSpec(
                slug="wage-claims",
                code="DLI-WC",
                name_en="Unpaid Wage Claims",
                name_es="Reclamos por salarios no pagados",
                description_en="File a claim when an employer has not paid the wages you earned.",
                description_es=(
                    "Presente un reclamo cuando un empleador no le haya pagado el salario que ganó."
                ),
                volume=3_200,
                responses=110,
                response_rate=0.20,
                csat=0.66,
                timeliness=0.68,
                processing_days=7.5,
                promise_en="We contact you about your wage claim within 5 business days.",
                promise_es=(
                    "Nos comunicamos con usted sobre su reclamo salarial en un plazo de 5 días "
                    "hábiles."
                ),
                standard_days=5,
                timeliness_target=0.85,
            ),
            ServiceSpec(
                slug="workers-compensation",
                code="DLI-WCC",
                name_en="Workers' Compensation Claims",
                name_es="Reclamos de compensación laboral",
                description_en="Benefits for workers injured or made ill on the job.",
                description_es=(
                    "Beneficios para trabajadores que se lesionan o enferman en el trabajo."
                ),
                volume=11_000,
                responses=240,
                response_rate=0.13,
                csat=0.70,
                accuracy=0.93,
                timeliness=0.77,
                processing_days=12.0,
                promise_en="We make a first decision on your claim within 14 business days.",
                promise_es=(
                    "Tomamos una primera decisión sobre su reclamo en un plazo de 14 días hábiles."
                ),
                standard_days=14,
            ),
            ServiceSpec(
                slug="apprenticeship-registration",
                code="DLI-APP",
                name_en="Apprenticeship Registration",
                name_es="Registro de programas de aprendizaje",
                description_en="Register an apprenticeship program or an apprentice.",
                description_es="Registre un programa de aprendizaje o a un aprendiz.",
                volume=1_800,
                responses=70,
                response_rate=0.25,
                csat=0.86,
                late={"csat_overall": 1, "ease": 1},
            ),
        ),
    ),
    AgencySpec(
        slug="employment-security",
        code="ESD",
        name_en="Employment Security Department",
        name_es="Departamento de Seguridad del Empleo",
        description_en="Unemployment insurance, appeals and job centers.",
        description_es="Seguro de desempleo, apelaciones y centros de empleo.",
        monthly_calls=95_000,
        capacity=1.02,
        season=(1.45, 1.3, 1.1, 0.95, 0.85, 0.85, 0.95, 0.85, 0.8, 0.9, 1.0, 1.2),
        written={"email": 0.12, "web_form": 0.16, "voicemail": 0.10, "text": 0.03},
        ack=0.72,
        trust=0.48,
        spanish_share=0.26,
        spanish_gap=0.08,
        capacity_trend=0.02,
        phone_number="(800) 555-0104",
        offices=(
            Office(
                "Northfield Job Center",
                "Centro de Empleo de Northfield",
                "22 Commerce Drive, Northfield, EX 90412",
            ),
            Office(
                "Riverside Job Center",
                "Centro de Empleo de Riverside",
                "640 River Road, Riverside, EX 90118",
            ),
        ),
        languages="en,es,vi,so",
        text_line=True,
        trust_target="improve",
        surges=(Surge(-59, -54, 1.35),),  # the tail of the pandemic claims backlog
        services=(
            ServiceSpec(
                slug="unemployment-claims",
                code="ESD-UI",
                name_en="Unemployment Insurance Claims",
                name_es="Solicitudes de seguro de desempleo",
                description_en="Apply for unemployment benefits and file weekly claims.",
                description_es=(
                    "Solicite beneficios de desempleo y presente sus solicitudes semanales."
                ),
                volume=120_000,
                responses=1_900,
                response_rate=0.08,
                csat=0.61,
                accuracy=0.90,
                timeliness=0.72,
                processing_days=13.0,
                promise_en="We decide on your first payment within 15 business days.",
                promise_es="Decidimos sobre su primer pago en un plazo de 15 días hábiles.",
                standard_days=15,
                timeliness_target=0.87,
                timeliness_target_before=0.80,
            ),
            ServiceSpec(
                slug="ui-appeals",
                code="ESD-APL",
                name_en="Unemployment Appeals",
                name_es="Apelaciones de desempleo",
                description_en="Appeal a decision on your unemployment benefits.",
                description_es="Apele una decisión sobre sus beneficios de desempleo.",
                volume=9_000,
                responses=260,
                response_rate=0.15,
                csat=0.58,
                accuracy=0.94,
                timeliness=0.55,
                processing_days=27.0,
                promise_en="We hold your appeal hearing within 30 business days.",
                promise_es="Celebramos su audiencia de apelación en un plazo de 30 días hábiles.",
                standard_days=30,
                timeliness_target=0.60,
            ),
            ServiceSpec(
                slug="job-centers",
                code="ESD-JC",
                name_en="Job Center Services",
                name_es="Servicios de los centros de empleo",
                description_en="Job search help, workshops and training referrals.",
                description_es=(
                    "Ayuda para buscar empleo, talleres y derivaciones a programas de capacitación."
                ),
                volume=40_000,
                responses=900,
                response_rate=0.20,
                csat=0.84,
            ),
            ServiceSpec(
                slug="employer-accounts",
                code="ESD-EMP",
                name_en="Employer Unemployment Tax Accounts",
                name_es="Cuentas de impuestos de desempleo para empleadores",
                description_en="Open and manage an employer unemployment tax account.",
                description_es=(
                    "Abra y administre una cuenta de impuestos de desempleo para empleadores."
                ),
                volume=7_000,
                responses=180,
                response_rate=0.17,
                csat=0.79,
                accuracy=0.97,
                timeliness=0.88,
                processing_days=3.5,
                promise_en="We open your employer account within 5 business days.",
                promise_es="Abrimos su cuenta de empleador en un plazo de 5 días hábiles.",
                standard_days=5,
                timeliness_target=0.90,
                late={"accuracy_rate": 2},
            ),
        ),
    ),
    AgencySpec(
        slug="health",
        code="DHS-H",
        name_en="Department of Health Services",
        name_es="Departamento de Servicios de Salud",
        description_en="Medicaid, vital records, health facility licensing and WIC.",
        description_es=(
            "Medicaid, registros civiles, licencias de establecimientos de salud y WIC."
        ),
        monthly_calls=70_000,
        capacity=1.18,
        season=(1.1, 1.0, 1.0, 0.98, 0.97, 0.95, 0.95, 0.98, 0.98, 1.0, 1.05, 1.05),
        written={"email": 0.09, "web_form": 0.14, "voicemail": 0.09, "text": 0.04},
        ack=0.86,
        trust=0.63,
        spanish_share=0.28,
        spanish_gap=0.05,
        capacity_trend=0.01,
        phone_number="(800) 555-0105",
        offices=(
            Office(
                "Riverside Health Services Office",
                "Oficina de Servicios de Salud de Riverside",
                "15 Clinic Way, Riverside, EX 90118",
            ),
            Office(
                "Vital Records Counter",
                "Ventanilla de Registros Civiles",
                "1 Health Plaza, Capitol City, EX 90002",
            ),
        ),
        languages="en,es,vi,ru",
        text_line=True,
        surges=(Surge(-41, -28, 1.45),),  # Medicaid renewals resume after the pandemic pause
        services=(
            ServiceSpec(
                slug="medicaid-enrollment",
                code="DHS-MED",
                name_en="Medicaid Enrollment and Renewals",
                name_es="Inscripción y renovación de Medicaid",
                description_en="Apply for or renew health coverage through Medicaid.",
                description_es="Solicite o renueve la cobertura de salud de Medicaid.",
                volume=150_000,
                responses=1_700,
                response_rate=0.08,
                csat=0.68,
                accuracy=0.94,
                timeliness=0.82,
                processing_days=19.0,
                promise_en="We decide complete applications within 30 business days.",
                promise_es="Resolvemos las solicitudes completas en un plazo de 30 días hábiles.",
                standard_days=30,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="vital-records",
                code="DHS-VR",
                name_en="Birth and Death Certificates",
                name_es="Actas de nacimiento y defunción",
                description_en="Order certified copies of birth and death certificates.",
                description_es="Solicite copias certificadas de actas de nacimiento y defunción.",
                volume=52_000,
                responses=800,
                response_rate=0.13,
                csat=0.81,
                accuracy=0.99,
                timeliness=0.83,
                processing_days=6.0,
                promise_en="We mail certificates ordered online within 7 business days.",
                promise_es=(
                    "Enviamos por correo las actas solicitadas en línea en un plazo de 7 días "
                    "hábiles."
                ),
                standard_days=7,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="facility-licensing",
                code="DHS-FL",
                name_en="Health Facility Licensing",
                name_es="Licencias para establecimientos de salud",
                description_en="Licenses for hospitals, clinics and care homes.",
                description_es="Licencias para hospitales, clínicas y residencias de cuidado.",
                volume=900,
                responses=45,
                response_rate=0.30,
                csat=0.77,
                timeliness=0.75,
                processing_days=22.0,
                promise_en="We review license applications within 30 business days.",
                promise_es="Revisamos las solicitudes de licencia en un plazo de 30 días hábiles.",
                standard_days=30,
                late={"processing_days": 1},
            ),
            ServiceSpec(
                slug="wic",
                code="DHS-WIC",
                name_en="WIC Nutrition Program",
                name_es="Programa de nutrición WIC",
                description_en=(
                    "Healthy food and nutrition support for families with young children."
                ),
                description_es=(
                    "Alimentos saludables y apoyo nutricional para familias con niños pequeños."
                ),
                volume=30_000,
                responses=650,
                response_rate=0.18,
                csat=0.88,
                timeliness=0.89,
                promise_en="We offer a first appointment within 10 business days.",
                promise_es="Le ofrecemos una primera cita en un plazo de 10 días hábiles.",
                standard_days=10,
                timeliness_target=0.90,
            ),
        ),
    ),
    AgencySpec(
        slug="human-services",
        code="DHS-S",
        name_en="Department of Human Services",
        name_es="Departamento de Servicios Humanos",
        description_en="Food, cash and child care assistance, and child support.",
        description_es=(
            "Asistencia alimentaria, monetaria y para el cuidado infantil, y manutención infantil."
        ),
        monthly_calls=88_000,
        capacity=1.05,
        season=(1.1, 1.05, 1.0, 0.98, 0.95, 0.95, 0.98, 1.0, 0.98, 1.0, 1.0, 1.05),
        written={"email": 0.08, "web_form": 0.12, "voicemail": 0.11, "text": 0.03},
        ack=0.70,
        trust=0.52,
        spanish_share=0.30,
        spanish_gap=0.07,
        capacity_trend=0.02,
        phone_number="(800) 555-0106",
        offices=(
            Office(
                "Eastport Community Services Office",
                "Oficina de Servicios Comunitarios de Eastport",
                "201 Bay Street, Eastport, EX 90230",
            ),
            Office(
                "Lakeside Community Services Office",
                "Oficina de Servicios Comunitarios de Lakeside",
                "88 Shore Drive, Lakeside, EX 90325",
            ),
        ),
        languages="en,es,vi,so,ar",
        text_line=True,
        video=True,
        services=(
            ServiceSpec(
                slug="snap-benefits",
                code="DHS-SNAP",
                name_en="SNAP Food Benefits",
                name_es="Beneficios de alimentos SNAP",
                description_en="Monthly food benefits on an EBT card.",
                description_es="Beneficios mensuales para alimentos en una tarjeta EBT.",
                volume=95_000,
                responses=1_500,
                response_rate=0.07,
                csat=0.67,
                accuracy=0.92,
                timeliness=0.86,
                processing_days=14.0,
                promise_en="We decide complete applications within 20 business days.",
                promise_es="Resolvemos las solicitudes completas en un plazo de 20 días hábiles.",
                standard_days=20,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="child-care-assistance",
                code="DHS-CCA",
                name_en="Child Care Assistance",
                name_es="Ayuda para el cuidado infantil",
                description_en="Help paying for child care while you work or study.",
                description_es=(
                    "Ayuda para pagar el cuidado infantil mientras usted trabaja o estudia."
                ),
                volume=12_000,
                responses=300,
                response_rate=0.14,
                csat=0.74,
                timeliness=0.79,
                processing_days=15.0,
                promise_en="We decide your application within 20 business days.",
                promise_es="Resolvemos su solicitud en un plazo de 20 días hábiles.",
                standard_days=20,
                timeliness_target=0.85,
                gaps=(6, 7),  # a case-system migration: two quarters with nothing to report
            ),
            ServiceSpec(
                slug="cash-assistance",
                code="DHS-TANF",
                name_en="Temporary Cash Assistance",
                name_es="Asistencia monetaria temporal",
                description_en="Short-term cash help for families with children.",
                description_es="Ayuda monetaria de corto plazo para familias con hijos.",
                volume=15_000,
                responses=340,
                response_rate=0.12,
                csat=0.64,
                accuracy=0.91,
                timeliness=0.76,
                processing_days=17.0,
                promise_en="We decide complete applications within 20 business days.",
                promise_es="Resolvemos las solicitudes completas en un plazo de 20 días hábiles.",
                standard_days=20,
                timeliness_target=0.85,
            ),
            ServiceSpec(
                slug="child-support",
                code="DHS-CS",
                name_en="Child Support Services",
                name_es="Servicios de manutención infantil",
                description_en="Establish, collect and pay child support.",
                description_es="Establezca, cobre y pague la manutención infantil.",
                volume=210_000,
                responses=900,
                response_rate=0.06,
                csat=0.63,
                accuracy=0.96,
                timeliness=0.95,
                promise_en="We send collected payments within 2 business days.",
                promise_es="Enviamos los pagos recaudados en un plazo de 2 días hábiles.",
                standard_days=2,
                timeliness_target=0.95,
            ),
        ),
    ),
    AgencySpec(
        slug="transportation",
        code="DOT",
        name_en="Department of Transportation",
        name_es="Departamento de Transporte",
        description_en="Road conditions, highway maintenance and commercial vehicle permits.",
        description_es=(
            "Condiciones de las carreteras, mantenimiento vial y permisos para vehículos "
            "comerciales."
        ),
        monthly_calls=18_000,
        capacity=1.35,
        season=(1.45, 1.35, 1.05, 0.9, 0.85, 0.9, 0.95, 0.9, 0.85, 0.9, 1.1, 1.3),
        written={"email": 0.16, "web_form": 0.25, "voicemail": 0.05},
        ack=0.88,
        trust=0.66,
        spanish_share=0.10,
        spanish_gap=0.03,
        capacity_trend=0.0,
        phone_number="(800) 555-0107",
        offices=(
            Office(
                "Permit Office",
                "Oficina de Permisos",
                "700 Highway Plaza, Capitol City, EX 90003",
            ),
        ),
        languages="en,es",
        services=(
            ServiceSpec(
                slug="road-conditions",
                code="DOT-511",
                name_en="Road Conditions and Traveler Information (511)",
                name_es="Condiciones de las carreteras e información para viajeros (511)",
                description_en=(
                    "Closures, chain requirements and travel alerts by phone and online."
                ),
                description_es=(
                    "Cierres, requisitos de cadenas y alertas de viaje por teléfono y en línea."
                ),
                volume=250_000,
                responses=600,
                response_rate=0.05,
                csat=0.85,
                ease=False,
            ),
            ServiceSpec(
                slug="oversize-permits",
                code="DOT-OSP",
                name_en="Oversize and Overweight Permits",
                name_es="Permisos para cargas de sobredimensión y sobrepeso",
                description_en="Permits to move oversize or overweight loads on state highways.",
                description_es=(
                    "Permisos para transportar cargas de sobredimensión o sobrepeso por las "
                    "carreteras estatales."
                ),
                volume=26_000,
                responses=240,
                response_rate=0.12,
                csat=0.76,
                accuracy=0.97,
                timeliness=0.82,
                processing_days=2.6,
                promise_en="We issue routine permits within 2 business days.",
                promise_es="Emitimos los permisos de rutina en un plazo de 2 días hábiles.",
                standard_days=2,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="maintenance-requests",
                code="DOT-MR",
                name_en="Highway Maintenance Requests",
                name_es="Solicitudes de mantenimiento de carreteras",
                description_en="Report potholes, damaged signs and other road hazards.",
                description_es=(
                    "Reporte baches, señales dañadas y otros peligros en la carretera."
                ),
                volume=8_000,
                responses=150,
                response_rate=0.10,
                csat=0.70,
                timeliness=0.74,
                processing_days=3.9,
                promise_en="We respond to pothole reports within 3 business days.",
                promise_es="Atendemos los reportes de baches en un plazo de 3 días hábiles.",
                standard_days=3,
                late={"csat_overall": 2, "ease": 2},
            ),
        ),
    ),
    AgencySpec(
        slug="parks",
        code="PRK",
        name_en="Department of Parks and Recreation",
        name_es="Departamento de Parques y Recreación",
        description_en="State parks, campgrounds, passes and backcountry permits.",
        description_es=("Parques estatales, campamentos, pases y permisos para zonas remotas."),
        monthly_calls=14_000,
        capacity=1.3,
        season=(0.7, 0.85, 1.2, 1.35, 1.4, 1.3, 1.15, 1.0, 0.85, 0.75, 0.7, 0.75),
        written={"email": 0.18, "web_form": 0.12, "voicemail": 0.07},
        ack=0.89,
        trust=0.74,
        spanish_share=0.09,
        spanish_gap=0.06,
        capacity_trend=0.0,
        phone_number="(800) 555-0108",
        offices=(
            Office(
                "Lakeside Visitor Center",
                "Centro de Visitantes de Lakeside",
                "5 Lakeshore Trail, Lakeside, EX 90325",
                "Daily 9:00 a.m.–4:30 p.m.",
                "todos los días 9:00–16:30",
            ),
        ),
        languages="en,es",
        services=(
            ServiceSpec(
                slug="campground-reservations",
                code="PRK-CR",
                name_en="Campground Reservations",
                name_es="Reservaciones de campamentos",
                description_en="Reserve campsites, cabins and group sites in state parks.",
                description_es=(
                    "Reserve sitios para acampar, cabañas y áreas para grupos en los parques "
                    "estatales."
                ),
                volume=48_000,
                responses=900,
                response_rate=0.16,
                csat=0.77,
                timeliness=0.87,
                promise_en="We answer reservation change requests within 2 business days.",
                promise_es=(
                    "Respondemos a las solicitudes de cambio de reservación en un plazo de 2 "
                    "días hábiles."
                ),
                standard_days=2,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="park-passes",
                code="PRK-PP",
                name_en="Annual Park Passes",
                name_es="Pases anuales para parques",
                description_en="Buy an annual pass for vehicle entry to all state parks.",
                description_es=(
                    "Compre un pase anual de entrada vehicular a todos los parques estatales."
                ),
                volume=21_000,
                responses=420,
                response_rate=0.14,
                csat=0.87,
                timeliness=0.92,
                processing_days=2.9,
                promise_en="We mail your pass within 5 business days.",
                promise_es="Le enviamos su pase por correo en un plazo de 5 días hábiles.",
                standard_days=5,
                timeliness_target=0.90,
            ),
            ServiceSpec(
                slug="backcountry-permits",
                code="PRK-BCP",
                name_en="Backcountry Permits",
                name_es="Permisos para zonas remotas",
                description_en="Overnight permits for wilderness trails and backcountry camps.",
                description_es=(
                    "Permisos de pernocta para senderos silvestres y campamentos en zonas remotas."
                ),
                volume=1_400,
                responses=0,
                response_rate=0.35,
                csat=0.90,
                timeliness=0.90,
                promise_en="We issue permits within 3 business days.",
                promise_es="Emitimos los permisos en un plazo de 3 días hábiles.",
                standard_days=3,
                timeliness_target=0.90,
                small=True,
            ),
        ),
    ),
    AgencySpec(
        slug="natural-resources",
        code="DNR",
        name_en="Department of Natural Resources",
        name_es="Departamento de Recursos Naturales",
        description_en="Hunting and fishing licenses, boat registration and burn permits.",
        description_es=(
            "Licencias de caza y pesca, registro de embarcaciones y permisos de quema."
        ),
        monthly_calls=16_000,
        capacity=1.3,
        season=(0.8, 0.85, 1.15, 1.3, 1.1, 1.0, 0.95, 1.1, 1.2, 1.05, 0.8, 0.7),
        written={"email": 0.15, "web_form": 0.10, "voicemail": 0.06},
        ack=0.91,
        trust=0.70,
        spanish_share=0.08,
        spanish_gap=0.04,
        capacity_trend=0.005,
        phone_number="(800) 555-0109",
        offices=(
            Office(
                "Cedar Falls Regional Office",
                "Oficina Regional de Cedar Falls",
                "1450 Forest Road, Cedar Falls, EX 90540",
            ),
        ),
        languages="en,es",
        services=(
            ServiceSpec(
                slug="hunting-fishing-licenses",
                code="DNR-HFL",
                name_en="Hunting and Fishing Licenses",
                name_es="Licencias de caza y pesca",
                description_en="Buy hunting and fishing licenses, tags and stamps.",
                description_es="Compre licencias, marbetes y sellos de caza y pesca.",
                volume=160_000,
                responses=1_100,
                response_rate=0.09,
                csat=0.83,
            ),
            ServiceSpec(
                slug="boat-registration",
                code="DNR-BR",
                name_en="Boat Registration",
                name_es="Registro de embarcaciones",
                description_en="Register a boat or renew its registration decals.",
                description_es=("Registre una embarcación o renueve sus calcomanías de registro."),
                volume=18_000,
                responses=300,
                response_rate=0.12,
                csat=0.79,
                accuracy=0.97,
                timeliness=0.81,
                processing_days=6.8,
                promise_en="We mail registration decals within 10 business days.",
                promise_es=(
                    "Enviamos por correo las calcomanías de registro en un plazo de 10 días "
                    "hábiles."
                ),
                standard_days=10,
                timeliness_target=0.85,
            ),
            ServiceSpec(
                slug="burn-permits",
                code="DNR-BP",
                name_en="Outdoor Burn Permits",
                name_es="Permisos de quema al aire libre",
                description_en="Permits for yard-debris and agricultural burning.",
                description_es="Permisos para quemar restos de jardín y residuos agrícolas.",
                volume=2_500,
                responses=0,
                response_rate=0.30,
                csat=0.81,
                timeliness=0.88,
                promise_en="We decide burn permit requests within 2 business days.",
                promise_es=(
                    "Resolvemos las solicitudes de permiso de quema en un plazo de 2 días hábiles."
                ),
                standard_days=2,
                timeliness_target=0.90,
                late={"timeliness_standard": 1},
                small=True,
                ease=False,
            ),
        ),
    ),
    AgencySpec(
        slug="veterans",
        code="DVA",
        name_en="Department of Veterans Affairs",
        name_es="Departamento de Asuntos de Veteranos",
        description_en="State veterans benefits, veterans homes and veteran ID designation.",
        description_es=(
            "Beneficios estatales para veteranos, hogares para veteranos y designación de veterano."
        ),
        monthly_calls=12_000,
        capacity=1.35,
        season=(1.0, 0.98, 1.0, 1.0, 0.98, 0.95, 0.95, 0.97, 0.98, 1.02, 1.12, 1.05),
        written={"email": 0.18, "web_form": 0.10, "voicemail": 0.14},
        ack=0.83,
        trust=0.76,
        spanish_share=0.07,
        spanish_gap=0.03,
        capacity_trend=0.01,
        phone_number="(800) 555-0110",
        offices=(
            Office(
                "Veterans Service Office",
                "Oficina de Servicios para Veteranos",
                "12 Liberty Square, Capitol City, EX 90001",
            ),
        ),
        languages="en,es",
        video=True,
        services=(
            ServiceSpec(
                slug="veterans-benefits-claims",
                code="DVA-BEN",
                name_en="State Veterans Benefits Claims",
                name_es="Reclamos de beneficios estatales para veteranos",
                description_en="Apply for state veterans benefits and property tax exemptions.",
                description_es=(
                    "Solicite beneficios estatales para veteranos y exenciones del impuesto "
                    "predial."
                ),
                volume=6_500,
                responses=380,
                response_rate=0.21,
                csat=0.80,
                accuracy=0.93,
                timeliness=0.72,
                processing_days=24.0,
                promise_en="We decide complete claims within 30 business days.",
                promise_es="Resolvemos los reclamos completos en un plazo de 30 días hábiles.",
                standard_days=30,
            ),
            ServiceSpec(
                slug="veterans-homes",
                code="DVA-HOME",
                name_en="Veterans Home Admissions",
                name_es="Admisiones a hogares para veteranos",
                description_en="Apply for long-term care in a state veterans home.",
                description_es=(
                    "Solicite atención a largo plazo en un hogar estatal para veteranos."
                ),
                volume=300,
                responses=0,
                response_rate=0.40,
                csat=0.86,
                timeliness=0.80,
                processing_days=15.0,
                promise_en="We decide admission applications within 20 business days.",
                promise_es=(
                    "Resolvemos las solicitudes de admisión en un plazo de 20 días hábiles."
                ),
                standard_days=20,
                late={"processing_days": 2},
                small=True,
            ),
            ServiceSpec(
                slug="veteran-id-cards",
                code="DVA-ID",
                name_en="Veteran Designation on ID Cards",
                name_es="Designación de veterano en tarjetas de identificación",
                description_en="Add the veteran designation to a driver license or ID card.",
                description_es=(
                    "Agregue la designación de veterano a una licencia de conducir o tarjeta "
                    "de identificación."
                ),
                volume=4_000,
                responses=160,
                response_rate=0.18,
                csat=0.89,
                accuracy=0.99,
                timeliness=0.90,
                promise_en="We verify your service record within 5 business days.",
                promise_es="Verificamos su historial de servicio en un plazo de 5 días hábiles.",
                standard_days=5,
                timeliness_target=0.90,
            ),
        ),
    ),
    AgencySpec(
        slug="licensing",
        code="DLR",
        name_en="Department of Licensing and Regulation",
        name_es="Departamento de Licencias y Regulación",
        description_en="Professional, contractor and cosmetology licenses; consumer complaints.",
        description_es=(
            "Licencias profesionales, de contratista y de cosmetología; quejas de consumidores."
        ),
        monthly_calls=26_000,
        capacity=1.05,
        season=(1.0, 0.95, 0.95, 0.95, 1.05, 1.35, 1.1, 0.9, 0.85, 0.9, 1.0, 1.25),
        written={"email": 0.22, "web_form": 0.14, "voicemail": 0.09},
        ack=0.74,
        trust=0.57,
        spanish_share=0.15,
        spanish_gap=0.06,
        capacity_trend=-0.01,
        phone_number="(800) 555-0111",
        offices=(
            Office(
                "Licensing Service Counter",
                "Ventanilla de Servicios de Licencias",
                "300 Commerce Plaza, Capitol City, EX 90004",
            ),
        ),
        languages="en,es,ko",
        services=(
            ServiceSpec(
                slug="professional-licenses",
                code="DLR-PL",
                name_en="Professional License Renewals",
                name_es="Renovación de licencias profesionales",
                description_en=(
                    "Renew licenses for accountants, engineers, nurses and other professions."
                ),
                description_es=(
                    "Renueve licencias de contadores, ingenieros, enfermeros y otras profesiones."
                ),
                volume=36_000,
                responses=620,
                response_rate=0.11,
                csat=0.66,
                accuracy=0.95,
                timeliness=0.70,
                processing_days=11.0,
                promise_en="We renew complete applications within 10 business days.",
                promise_es="Renovamos las solicitudes completas en un plazo de 10 días hábiles.",
                standard_days=10,
                timeliness_target=0.85,
            ),
            ServiceSpec(
                slug="contractor-licenses",
                code="DLR-CL",
                name_en="Contractor Licenses",
                name_es="Licencias de contratista",
                description_en="New licenses and renewals for building contractors.",
                description_es="Licencias nuevas y renovaciones para contratistas de obra.",
                volume=5_200,
                responses=170,
                response_rate=0.15,
                csat=0.72,
                timeliness=0.71,
                processing_days=13.0,
                promise_en="We decide new contractor applications within 15 business days.",
                promise_es=(
                    "Resolvemos las solicitudes nuevas de contratista en un plazo de 15 días "
                    "hábiles."
                ),
                standard_days=15,
            ),
            ServiceSpec(
                slug="cosmetology-licenses",
                code="DLR-COS",
                name_en="Barber and Cosmetology Licenses",
                name_es="Licencias de barbería y cosmetología",
                description_en="Licenses for barbers, cosmetologists, estheticians and salons.",
                description_es=("Licencias para barberos, cosmetólogos, esteticistas y salones."),
                volume=7_400,
                responses=210,
                response_rate=0.16,
                csat=0.75,
                timeliness=0.81,
                promise_en="We issue your license within 10 business days of passing the exam.",
                promise_es=(
                    "Emitimos su licencia en un plazo de 10 días hábiles después de aprobar el "
                    "examen."
                ),
                standard_days=10,
                timeliness_target=0.85,
                late={"csat_overall": 1, "ease": 1},
            ),
            ServiceSpec(
                slug="consumer-complaints",
                code="DLR-CC",
                name_en="Consumer Complaints and Investigations",
                name_es="Quejas e investigaciones de consumidores",
                description_en="File a complaint about a licensed business or professional.",
                description_es=(
                    "Presente una queja sobre una empresa o un profesional con licencia."
                ),
                volume=2_600,
                responses=95,
                response_rate=0.20,
                csat=0.55,
                timeliness=0.84,
                promise_en="We acknowledge your complaint within 2 business days.",
                promise_es="Acusamos recibo de su queja en un plazo de 2 días hábiles.",
                standard_days=2,
                timeliness_target=0.90,
                ease=False,
            ),
        ),
    ),
    AgencySpec(
        slug="housing",
        code="HCD",
        name_en="Department of Housing and Community Development",
        name_es="Departamento de Vivienda y Desarrollo Comunitario",
        description_en="Rental assistance, home repair grants and fair housing.",
        description_es=(
            "Asistencia para el alquiler, subvenciones para reparaciones del hogar y vivienda "
            "justa."
        ),
        monthly_calls=15_000,
        capacity=1.1,
        season=(1.05, 1.0, 1.0, 1.0, 1.0, 1.0, 1.02, 1.02, 1.0, 0.98, 0.98, 0.98),
        written={"email": 0.15, "web_form": 0.20, "voicemail": 0.10},
        ack=0.80,
        trust=0.58,
        spanish_share=0.32,
        spanish_gap=0.05,
        capacity_trend=0.01,
        phone_number="(800) 555-0112",
        offices=(
            Office(
                "Housing Resource Center",
                "Centro de Recursos de Vivienda",
                "410 Main Street, Westbrook, EX 90601",
            ),
        ),
        languages="en,es",
        surges=(Surge(-52, -46, 1.3),),  # the last rounds of pandemic rental assistance
        services=(
            ServiceSpec(
                slug="rental-assistance",
                code="HCD-ERA",
                name_en="Emergency Rental Assistance",
                name_es="Asistencia de emergencia para el alquiler",
                description_en="Help with past-due rent and utilities to prevent eviction.",
                description_es=(
                    "Ayuda con el alquiler y los servicios públicos atrasados para evitar el "
                    "desalojo."
                ),
                volume=9_000,
                responses=360,
                response_rate=0.12,
                csat=0.62,
                accuracy=0.92,
                timeliness=0.63,
                processing_days=23.0,
                promise_en="We decide complete applications within 20 business days.",
                promise_es="Resolvemos las solicitudes completas en un plazo de 20 días hábiles.",
                standard_days=20,
            ),
            ServiceSpec(
                slug="home-repair-grants",
                code="HCD-HRG",
                name_en="Home Repair Grants",
                name_es="Subvenciones para reparaciones del hogar",
                description_en="Grants for urgent repairs for low-income homeowners.",
                description_es=(
                    "Subvenciones para reparaciones urgentes para propietarios de bajos ingresos."
                ),
                volume=500,
                responses=0,
                response_rate=0.30,
                csat=0.79,
                timeliness=0.72,
                promise_en="We inspect your home within 20 business days of approval.",
                promise_es=(
                    "Inspeccionamos su vivienda en un plazo de 20 días hábiles después de la "
                    "aprobación."
                ),
                standard_days=20,
                timeliness_target=0.75,
                small=True,
            ),
            ServiceSpec(
                slug="fair-housing-complaints",
                code="HCD-FH",
                name_en="Fair Housing Complaints",
                name_es="Quejas de vivienda justa",
                description_en="Report housing discrimination.",
                description_es="Denuncie la discriminación en la vivienda.",
                volume=700,
                responses=40,
                response_rate=0.22,
                csat=0.60,
                timeliness=0.85,
                processing_days=8.0,
                promise_en="We open an investigation within 10 business days of your complaint.",
                promise_es=(
                    "Abrimos una investigación en un plazo de 10 días hábiles a partir de su queja."
                ),
                standard_days=10,
                timeliness_target=0.90,
                late={"csat_overall": 2},
                ease=False,
            ),
        ),
    ),
)

#: The agency whose survey contract lapsed: its latest published quarter is "not reported".
SURVEY_LAPSE_AGENCY = "housing"
SURVEY_LAPSE_NOTE = (
    "Survey vendor contract lapsed at the end of the previous quarter; no survey was fielded."
)

#: Agency -> months (relative to today) whose phone figures were "not reported" (NULL rows).
PHONE_NOT_REPORTED: Mapping[str, tuple[int, ...]] = {"natural-resources": (-19, -18)}
PHONE_NOT_REPORTED_NOTE = "Phone system migration: call statistics were not captured."

#: Agency -> months (relative to today) with no rows at all (the report never came in).
MONTHS_MISSING: Mapping[str, tuple[int, ...]] = {"transportation": (-37,)}

#: Agencies whose figures for the latest month are in, but not yet reviewed (drafts).
DRAFT_MONTH_AGENCIES = ("dmv", "revenue", "employment-security")

#: The one series break: the trust question's wording changed in this agency's survey.
SERIES_BREAK_AGENCY = "health"
#: Fiscal years after the first demo year in which the new wording starts.
SERIES_BREAK_YEAR_OFFSET = 2
#: The new wording gets systematically higher agreement.
SERIES_BREAK_SHIFT = 0.06

#: The one revised figure: an agency's monthly service level, months back from the latest.
REVISED_AGENCY = "employment-security"
REVISED_METRIC = "service_level_60s"
REVISED_MONTHS_BACK = 8
#: How far the first published value was off, in percentage points.
REVISED_ERROR = -6.2
REVISION_REASON = (
    "The phone system report counted calls transferred between queues twice, which "
    "understated the service level; the figure was recalculated from call records. / El "
    "informe del sistema telefónico contó dos veces las llamadas transferidas entre colas, lo "
    "que subestimó el nivel de servicio; la cifra se recalculó a partir de los registros de "
    "llamadas."
)

#: The responsiveness policy takes effect this many fiscal years after the first demo year.
ACK_POLICY_YEAR_OFFSET = 2
ACK_PROMISE_EN = "We acknowledge every email within one business day."
ACK_PROMISE_ES = "Acusamos recibo de cada correo electrónico en un día hábil."


@dataclass(frozen=True)
class ActionSpec:
    """An improvement action and the simulated effect it has once started.

    Effects ramp up linearly from the start month over ``months`` (or 4 months when the action
    is open-ended) and then last. Kinds: ``capacity`` (more agent capacity, as a share),
    ``deflect`` (share of calls that move to self-service), ``ack`` (acknowledgement rate),
    ``csat``, ``accuracy``, ``timeliness`` (shares), ``days`` (share cut from processing
    time) and ``spanish_gap`` (narrower satisfaction gap for Spanish speakers).
    """

    key: str
    unit: str
    start: int  # month relative to today
    months: int | None  # duration; None: ongoing
    metrics: tuple[str, ...]
    effects: tuple[tuple[str, float], ...]
    title_en: str
    title_es: str
    description_en: str
    description_es: str
    #: Drafts only: the internal note (drafts never have effects and are never published).
    internal_note: str | None = None


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "online-license-renewal",
        "driver-license-renewal",
        -44,
        6,
        ("timeliness_standard", "processing_days", "csat_overall"),
        (("deflect", 0.08), ("timeliness", 0.06), ("days", 0.25), ("csat", 0.03)),
        "Online driver license renewal for most drivers",
        "Renovación en línea de la licencia de conducir para la mayoría de los conductores",
        "Drivers with no changes to their record can renew online every other cycle instead "
        "of visiting an office.",
        "Los conductores sin cambios en su historial pueden renovar en línea en ciclos "
        "alternos en lugar de acudir a una oficina.",
    ),
    ActionSpec(
        "dmv-call-back",
        "dmv",
        -30,
        4,
        ("service_level_60s", "avg_speed_answer", "abandon_rate"),
        (("capacity", 0.12),),
        "Call-back option when the wait is longer than 10 minutes",
        "Opción de devolución de llamada cuando la espera supera los 10 minutos",
        "Callers can keep their place in line and get a call back instead of waiting on hold.",
        "Las personas pueden conservar su lugar en la fila y recibir una llamada en lugar de "
        "esperar al teléfono.",
    ),
    ActionSpec(
        "real-id-saturdays",
        "real-id",
        -22,
        5,
        ("timeliness_standard", "csat_overall"),
        (("timeliness", 0.06), ("csat", 0.02)),
        "Saturday REAL ID appointments before the federal deadline",
        "Citas de REAL ID los sábados antes de la fecha límite federal",
        "Three offices opened on Saturdays for REAL ID appointments only.",
        "Tres oficinas abrieron los sábados exclusivamente para citas de REAL ID.",
    ),
    ActionSpec(
        "plain-language-notices",
        "vehicle-registration",
        -8,
        None,
        ("csat_overall",),
        (("csat", 0.02), ("spanish_gap", 0.02)),
        "Plain-language renewal notices in English and Spanish",
        "Avisos de renovación en lenguaje claro en inglés y español",
        "Registration renewal notices were rewritten and tested with customers in both languages.",
        "Los avisos de renovación del registro se reescribieron y se probaron con clientes en "
        "ambos idiomas.",
    ),
    ActionSpec(
        "seasonal-tax-staff",
        "revenue",
        -33,
        3,
        ("service_level_60s", "avg_speed_answer"),
        (("capacity", 0.15),),
        "Seasonal phone staff hired before tax season",
        "Personal telefónico temporal contratado antes de la temporada de impuestos",
        "Forty seasonal agents are trained each December and answer calls from January to April.",
        "Cada diciembre se capacita a cuarenta agentes temporales que contestan llamadas de "
        "enero a abril.",
    ),
    ActionSpec(
        "refund-identity-check",
        "tax-refunds",
        -26,
        8,
        ("processing_days", "timeliness_standard", "accuracy_rate"),
        (("days", 0.30), ("timeliness", 0.08), ("accuracy", 0.006)),
        "Automated identity check for refunds",
        "Verificación automática de identidad para los reembolsos",
        "Most returns are now verified automatically, so fewer refunds wait for a manual "
        "identity review.",
        "La mayoría de las declaraciones ahora se verifican automáticamente, por lo que menos "
        "reembolsos esperan una revisión manual de identidad.",
    ),
    ActionSpec(
        "refund-tracker",
        "revenue",
        -14,
        4,
        ("contacts_received", "service_level_60s"),
        (("deflect", 0.12),),
        "“Where's my refund?” tracker online and on the phone line",
        "Consulta «¿Dónde está mi reembolso?» en línea y por teléfono",
        "Taxpayers can check the status of their refund at any hour without waiting for an agent.",
        "Los contribuyentes pueden consultar el estado de su reembolso a cualquier hora sin "
        "esperar a un agente.",
    ),
    ActionSpec(
        "online-payment-plans",
        "payment-plans",
        -3,
        None,
        ("csat_overall", "contacts_received"),
        (("deflect", 0.03), ("csat", 0.02)),
        "Set up a payment plan online without calling",
        "Establezca un plan de pago en línea sin llamar",
        "Balances under $25,000 can be set up as a payment plan in the online account.",
        "Los saldos menores de $25,000 pueden convertirse en un plan de pago desde la cuenta "
        "en línea.",
    ),
    ActionSpec(
        "wage-claim-triage",
        "wage-claims",
        -38,
        6,
        ("timeliness_standard", "processing_days"),
        (("timeliness", 0.10), ("days", 0.20)),
        "Triage of unpaid-wage claims within five business days",
        "Clasificación de los reclamos salariales en cinco días hábiles",
        "An intake team reviews every new claim and calls the worker within five business days.",
        "Un equipo de admisión revisa cada reclamo nuevo y llama al trabajador en cinco días "
        "hábiles.",
    ),
    ActionSpec(
        "labor-one-day-replies",
        "labor",
        -28,
        4,
        ("ack_within_1bd",),
        (("ack", 0.12),),
        "Every email and web message acknowledged within one business day",
        "Acuse de recibo de cada correo y mensaje web en un día hábil",
        "A shared inbox team now sends a first reply, with a case number, the next business "
        "day at the latest.",
        "Un equipo de buzón compartido envía ahora una primera respuesta, con número de caso, "
        "a más tardar el siguiente día hábil.",
    ),
    ActionSpec(
        "comp-second-review",
        "workers-compensation",
        -18,
        6,
        ("accuracy_rate",),
        (("accuracy", 0.025),),
        "Second review of benefit calculations",
        "Segunda revisión de los cálculos de beneficios",
        "A second examiner checks every wage-replacement calculation before the first payment.",
        "Un segundo examinador revisa cada cálculo de reemplazo salarial antes del primer pago.",
    ),
    ActionSpec(
        "claim-status-line",
        "employment-security",
        -47,
        5,
        ("service_level_60s", "avg_speed_answer", "abandon_rate"),
        (("deflect", 0.10), ("capacity", 0.05)),
        "Automated claim-status line",
        "Línea automática de estado de la solicitud",
        "Claimants can hear their payment status and next steps without waiting for an agent.",
        "Los solicitantes pueden escuchar el estado de su pago y los próximos pasos sin "
        "esperar a un agente.",
    ),
    ActionSpec(
        "identity-verification-partner",
        "unemployment-claims",
        -35,
        8,
        ("processing_days", "timeliness_standard"),
        (("days", 0.25), ("timeliness", 0.09)),
        "Identity verification partner to cut fraud holds",
        "Socio de verificación de identidad para reducir las retenciones por fraude",
        "Claimants verify their identity online or at a post office instead of waiting for a "
        "manual review.",
        "Los solicitantes verifican su identidad en línea o en una oficina de correos en "
        "lugar de esperar una revisión manual.",
    ),
    ActionSpec(
        "bilingual-hearings",
        "ui-appeals",
        -20,
        6,
        ("csat_overall",),
        (("spanish_gap", 0.04), ("csat", 0.02)),
        "Appeal hearings in Spanish with bilingual judges",
        "Audiencias de apelación en español con jueces bilingües",
        "Spanish speakers can have their hearing held in Spanish instead of through an "
        "interpreter.",
        "Las personas hispanohablantes pueden tener su audiencia en español en lugar de a "
        "través de un intérprete.",
    ),
    ActionSpec(
        "winter-surge-plan",
        "employment-security",
        -6,
        None,
        ("service_level_60s", "avg_speed_answer"),
        (("capacity", 0.08),),
        "Winter surge plan: cross-trained staff answer claims lines",
        "Plan para el aumento invernal: personal con capacitación cruzada contesta las líneas",
        "Staff from other units are trained to answer claims calls during the winter peak.",
        "Personal de otras unidades se capacita para contestar llamadas de solicitudes "
        "durante el pico de invierno.",
    ),
    ActionSpec(
        "renewal-help-line",
        "medicaid-enrollment",
        -40,
        10,
        ("service_level_60s", "avg_speed_answer", "abandon_rate"),
        (("capacity", 0.18),),
        "Dedicated help line for Medicaid renewals",
        "Línea de ayuda exclusiva para las renovaciones de Medicaid",
        "A separate queue with extra staff answers renewal questions while every member's "
        "coverage is reviewed.",
        "Una cola separada con personal adicional contesta preguntas sobre renovaciones "
        "mientras se revisa la cobertura de cada afiliado.",
    ),
    ActionSpec(
        "coverage-text-reminders",
        "health",
        -29,
        4,
        ("contacts_received", "csat_overall"),
        (("deflect", 0.05), ("csat", 0.02)),
        "Text reminders before coverage ends",
        "Recordatorios por mensaje de texto antes de que termine la cobertura",
        "Members get a text 60 and 30 days before their renewal is due, with a link to renew "
        "online.",
        "Los afiliados reciben un mensaje de texto 60 y 30 días antes de su renovación, con un "
        "enlace para renovar en línea.",
    ),
    ActionSpec(
        "certificates-online",
        "vital-records",
        -16,
        5,
        ("processing_days", "timeliness_standard"),
        (("days", 0.35), ("timeliness", 0.10)),
        "Order certificates online with next-day mailing",
        "Solicite actas en línea con envío al día siguiente",
        "Online orders are printed and mailed the next business day.",
        "Los pedidos en línea se imprimen y se envían por correo el siguiente día hábil.",
    ),
    ActionSpec(
        "snap-text-scheduling",
        "snap-benefits",
        -36,
        6,
        ("timeliness_standard", "csat_overall"),
        (("timeliness", 0.06), ("csat", 0.03)),
        "Interview scheduling by text message",
        "Programación de entrevistas por mensaje de texto",
        "Applicants pick their interview time by text instead of waiting for a letter.",
        "Los solicitantes eligen la hora de su entrevista por mensaje de texto en lugar de "
        "esperar una carta.",
    ),
    ActionSpec(
        "document-upload",
        "human-services",
        -24,
        5,
        ("processing_days",),
        (("days", 0.15), ("deflect", 0.05)),
        "Upload documents with a phone camera",
        "Suba documentos con la cámara del teléfono",
        "Proof of income and identity can be photographed and uploaded instead of mailed.",
        "Los comprobantes de ingresos e identidad se pueden fotografiar y subir en lugar de "
        "enviarlos por correo.",
    ),
    ActionSpec(
        "payment-record-checks",
        "child-support",
        -12,
        6,
        ("accuracy_rate",),
        (("accuracy", 0.015),),
        "Quality checks on payment records",
        "Controles de calidad de los registros de pago",
        "Daily automated checks flag payments applied to the wrong case before they are sent.",
        "Controles automáticos diarios señalan los pagos aplicados al caso equivocado antes "
        "de enviarlos.",
    ),
    ActionSpec(
        "road-conditions-map",
        "transportation",
        -42,
        3,
        ("contacts_received",),
        (("deflect", 0.15),),
        "Live road-conditions map replaces the recorded phone message",
        "Un mapa en vivo de las carreteras reemplaza el mensaje telefónico grabado",
        "Camera images and plow locations are posted online and updated every five minutes.",
        "Las imágenes de cámaras y la ubicación de las quitanieves se publican en línea y se "
        "actualizan cada cinco minutos.",
    ),
    ActionSpec(
        "automatic-routing",
        "oversize-permits",
        -10,
        None,
        ("processing_days", "timeliness_standard"),
        (("days", 0.30), ("timeliness", 0.08)),
        "Automatic routing for standard oversize loads",
        "Ruteo automático para cargas de sobredimensión estándar",
        "Loads within standard dimensions get a route and a permit without manual review.",
        "Las cargas dentro de las dimensiones estándar obtienen ruta y permiso sin revisión "
        "manual.",
    ),
    ActionSpec(
        "reservation-waitlist",
        "campground-reservations",
        -31,
        7,
        ("csat_overall",),
        (("csat", 0.05), ("deflect", 0.04)),
        "New reservation system with a waitlist",
        "Nuevo sistema de reservaciones con lista de espera",
        "Campers can join a waitlist and are notified automatically when a site opens up.",
        "Los campistas pueden anotarse en una lista de espera y reciben un aviso automático "
        "cuando se libera un sitio.",
    ),
    ActionSpec(
        "spanish-reservation-line",
        "parks",
        -4,
        None,
        ("csat_overall",),
        (("spanish_gap", 0.03),),
        "Spanish-language reservation line",
        "Línea de reservaciones en español",
        "Callers who choose Spanish reach a bilingual agent directly.",
        "Las personas que eligen español hablan directamente con un agente bilingüe.",
    ),
    ActionSpec(
        "licenses-mobile-app",
        "hunting-fishing-licenses",
        -45,
        6,
        ("csat_overall", "contacts_received"),
        (("deflect", 0.08), ("csat", 0.02)),
        "Buy and carry licenses on the mobile app",
        "Compre y lleve sus licencias en la aplicación móvil",
        "Licenses and tags can be bought and shown on a phone, even without a signal.",
        "Las licencias y los marbetes se pueden comprar y mostrar en el teléfono, incluso sin "
        "señal.",
    ),
    ActionSpec(
        "county-claims-officers",
        "veterans-benefits-claims",
        -27,
        9,
        ("accuracy_rate", "timeliness_standard"),
        (("accuracy", 0.02), ("timeliness", 0.06)),
        "Accredited claims officers in every county office",
        "Oficiales de reclamos acreditados en cada oficina de condado",
        "Veterans get help preparing a complete claim close to home, so fewer claims come back "
        "for missing evidence.",
        "Los veteranos reciben ayuda para preparar un reclamo completo cerca de su casa, por "
        "lo que menos reclamos se devuelven por falta de pruebas.",
    ),
    ActionSpec(
        "voicemail-next-day",
        "veterans",
        -15,
        3,
        ("ack_within_1bd",),
        (("ack", 0.09),),
        "Voicemails returned by the next business day",
        "Mensajes de voz devueltos a más tardar el siguiente día hábil",
        "Voicemails are assigned to an agent each morning and returned the same or next "
        "business day.",
        "Cada mañana se asignan los mensajes de voz a un agente y se devuelven el mismo día o "
        "el siguiente día hábil.",
    ),
    ActionSpec(
        "instant-renewal-receipt",
        "professional-licenses",
        -34,
        6,
        ("processing_days", "timeliness_standard"),
        (("days", 0.30), ("timeliness", 0.08), ("deflect", 0.06)),
        "Online license renewal with an instant receipt",
        "Renovación de licencias en línea con comprobante inmediato",
        "Licensees who meet the continuing-education requirement renew online and can print "
        "proof right away.",
        "Los profesionales que cumplen el requisito de educación continua renuevan en línea y "
        "pueden imprimir el comprobante de inmediato.",
    ),
    ActionSpec(
        "complaint-status-emails",
        "licensing",
        -9,
        4,
        ("ack_within_1bd",),
        (("ack", 0.06), ("csat", 0.01)),
        "Status updates by email for complaints",
        "Actualizaciones por correo electrónico sobre el estado de las quejas",
        "People who file a complaint get an email at each step of the investigation.",
        "Quienes presentan una queja reciben un correo electrónico en cada etapa de la "
        "investigación.",
    ),
    ActionSpec(
        "application-prescreen",
        "rental-assistance",
        -21,
        5,
        ("processing_days",),
        (("days", 0.20), ("timeliness", 0.05)),
        "Pre-screening questions to shorten applications",
        "Preguntas previas para acortar las solicitudes",
        "A short questionnaire tells applicants which documents they need before they start.",
        "Un cuestionario breve indica a los solicitantes qué documentos necesitan antes de "
        "empezar.",
    ),
    ActionSpec(
        "new-survey-vendor",
        "housing",
        1,
        None,
        ("csat_overall",),
        (),
        "Restart the customer survey with a new vendor",
        "Reanudar la encuesta a clientes con un nuevo proveedor",
        "A new contract will restore the quarterly customer survey for all housing programs.",
        "Un nuevo contrato restablecerá la encuesta trimestral a clientes de todos los "
        "programas de vivienda.",
    ),
    ActionSpec(
        "video-appointments",
        "dmv",
        2,
        None,
        ("csat_overall", "service_level_60s"),
        (),
        "Video appointments for license questions",
        "Citas por video para preguntas sobre licencias",
        "Customers will be able to book a video call with an agent for questions that do not "
        "need an office visit.",
        "Los clientes podrán reservar una videollamada con un agente para preguntas que no "
        "requieren visitar una oficina.",
    ),
    ActionSpec(
        "filing-chat-assistant",
        "revenue",
        3,
        None,
        ("contacts_received",),
        (),
        "Chat help for filing questions",
        "Ayuda por chat para preguntas sobre la declaración",
        "A chat service staffed by agents will answer filing questions during tax season.",
        "Un servicio de chat atendido por agentes responderá preguntas sobre la declaración "
        "durante la temporada de impuestos.",
    ),
)

#: Internal proposals: never published, and never shown outside the admin tools.
DRAFT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "eastside-saturday-closure",
        "dmv",
        2,
        None,
        ("csat_overall",),
        (),
        "Close the Eastside office on Saturdays",
        "Cerrar la oficina de Eastside los sábados",
        "Move Saturday staff to the phone lines.",
        "Trasladar al personal de los sábados a las líneas telefónicas.",
        internal_note="DRAFT-ONLY: under discussion with the union; not approved.",
    ),
    ActionSpec(
        "overflow-vendor",
        "employment-security",
        3,
        None,
        ("service_level_60s",),
        (),
        "Send overflow calls to an outside vendor",
        "Derivar las llamadas excedentes a un proveedor externo",
        "A vendor would answer general questions when the wait exceeds 20 minutes.",
        "Un proveedor contestaría preguntas generales cuando la espera supere los 20 minutos.",
        internal_note="DRAFT-ONLY: procurement-sensitive; vendor names must not be published.",
    ),
    ActionSpec(
        "shorter-phone-hours",
        "revenue",
        4,
        None,
        ("service_level_60s",),
        (),
        "Shorter phone hours during filing season",
        "Horario telefónico reducido durante la temporada de declaraciones",
        "Close the phone lines at 3 p.m. so agents can work the refund backlog.",
        "Cerrar las líneas telefónicas a las 15:00 para que los agentes trabajen en los "
        "reembolsos pendientes.",
        internal_note="DRAFT-ONLY: option rejected by the director; kept for the record.",
    ),
    ActionSpec(
        "auto-close-applications",
        "health",
        2,
        None,
        ("timeliness_standard",),
        (),
        "Close inactive applications automatically",
        "Cerrar automáticamente las solicitudes inactivas",
        "Applications with no response for 60 days would be closed without a caseworker review.",
        "Las solicitudes sin respuesta durante 60 días se cerrarían sin revisión de un "
        "trabajador social.",
        internal_note="DRAFT-ONLY: pending legal review of notice requirements.",
    ),
)


@dataclass(frozen=True)
class ClosureSpec:
    """A posted closure: days relative to today, and which office (None: the whole agency)."""

    agency: str
    #: An index into the agency's offices, a channel ("web_form"), or None: the whole agency.
    contact: int | str | None
    first: int
    last: int
    reason_en: str
    reason_es: str


CLOSURES: tuple[ClosureSpec, ...] = (
    ClosureSpec(
        "dmv",
        1,
        18,
        31,
        "Eastside DMV Office closed for renovation; please visit the Capitol City office.",
        "La Oficina del DMV de Eastside cierra por remodelación; acuda a la oficina de "
        "Capitol City.",
    ),
    ClosureSpec(
        "employment-security",
        0,
        9,
        9,
        "Northfield Job Center closed for staff training.",
        "El Centro de Empleo de Northfield cierra por capacitación del personal.",
    ),
    ClosureSpec(
        "parks",
        0,
        45,
        150,
        "Lakeside Visitor Center closed for the winter season.",
        "El Centro de Visitantes de Lakeside cierra durante la temporada de invierno.",
    ),
    ClosureSpec(
        "revenue",
        "web_form",
        4,
        5,
        "Online services and the web form are unavailable for system maintenance.",
        "Los servicios en línea y el formulario web no están disponibles por mantenimiento "
        "del sistema.",
    ),
    ClosureSpec(
        "health",
        0,
        -40,
        -37,
        "Riverside Health Services Office closed after water damage.",
        "La Oficina de Servicios de Salud de Riverside cerró por daños causados por el agua.",
    ),
    ClosureSpec(
        "human-services",
        0,
        -75,
        -68,
        "Eastport Community Services Office closed while moving to its new address.",
        "La Oficina de Servicios Comunitarios de Eastport cerró mientras se mudaba a su nueva "
        "dirección.",
    ),
)

#: How many upcoming public holidays get a posted closure of all state offices.
HOLIDAY_CLOSURES = 2

#: Spanish names of US federal holidays (the ``holidays`` package has no Spanish for the US).
HOLIDAY_NAMES_ES: Mapping[str, str] = {
    "New Year's Day": "Año Nuevo",
    "Martin Luther King Jr. Day": "Día de Martin Luther King Jr.",
    "Washington's Birthday": "Natalicio de Washington",
    "Memorial Day": "Día de los Caídos",
    "Juneteenth National Independence Day": "Día Nacional de la Independencia de Juneteenth",
    "Independence Day": "Día de la Independencia",
    "Labor Day": "Día del Trabajo",
    "Columbus Day": "Día de la Hispanidad (Columbus Day)",
    "Veterans Day": "Día de los Veteranos",
    "Thanksgiving Day": "Día de Acción de Gracias",
    "Christmas Day": "Navidad",
}
