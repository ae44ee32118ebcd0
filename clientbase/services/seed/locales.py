"""The shape of the curated word pools demo data is drawn from, one Locale per country.

Pools are small hand-written lists (names with their accents, real cities with their
postal-code prefixes and area codes) combined at random, which is much faster than a
general fake-data library and reads like a real registry.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

Rand = Callable[[], float]


def split(text: str) -> tuple[str, ...]:
    """Pools are written as "a|b|c" so that a hundred names fit in a few lines."""
    return tuple(item.strip() for item in text.split("|") if item.strip())


def weighted(*entries: tuple[int, tuple[str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    """Repeat each entry `weight` times, so one uniform pick honours the weights."""
    return tuple(entry for weight, entry in entries for _ in range(weight))


class City(NamedTuple):
    name: str
    region: str
    postal_prefix: str
    area_code: str


def cities(text: str) -> tuple[City, ...]:
    """Cities written as "name;region;postal prefix;area code|..."."""
    return tuple(City(*part.split(";")) for part in split(text))


class Language(NamedTuple):
    """Words that depend on the language only, shared by countries that speak it."""

    job_titles: tuple[str, ...]
    head_sites: tuple[str, ...]
    # "{city}" is filled in; a customer's second site comes from here, its first from
    # head_sites, so the two names of one customer never clash.
    other_sites: tuple[str, ...]
    contract_titles: tuple[str, ...]
    item_descriptions: tuple[str, ...]
    item_notes: tuple[str, ...]
    address_line2: tuple[str, ...]
    mailbox_names: tuple[str, ...]


class Locale(NamedTuple):
    country: str
    language: Language
    weight: int
    businesses: tuple[str, ...]
    qualifiers: tuple[str, ...]
    surnames: tuple[str, ...]
    first_names: tuple[str, ...]
    # Templates over {b} business, {q} qualifier, {s}/{t} surnames, {f} family form.
    name_templates: tuple[str, ...]
    families: tuple[str, ...]
    # (suffix, company type name, extra): extra is the Spanish CIF letter of the form.
    suffixes: tuple[tuple[str, str, str], ...]
    second_surname: float
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    tld: str
    mail_hosts: tuple[str, ...]
    max_street_number: int
    postal_code: Callable[[str, Rand], str]
    # (as typed, digits of its E.164 form) for (random, area code, mobile?).
    phone: Callable[[Rand, str, bool], tuple[str, str]]


def digits(r: Rand, count: int) -> str:
    return str(int(r() * 10**count)).zfill(count)


def line2_pool(templates: tuple[str, ...], size: int = 60) -> tuple[str, ...]:
    """Address complements ("Sala 204", "Piso 3, Puerta B") drawn once with a fixed seed."""
    rng = random.Random(7)
    return tuple(
        templates[i % len(templates)].format(n=rng.randint(1, 40), l=rng.choice("ABCDEF"))
        for i in range(size)
    )


def _ascii_table(keep: str) -> dict[int, str | None]:
    """A str.translate table: Latin letters to ASCII, digits kept, other punctuation dropped."""
    table: dict[int, str | None] = {}
    special = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "ł": "l"}
    for code in range(0x250):
        char = chr(code)
        if char.isascii():
            table[code] = char if char.isalnum() or char in keep else None
        elif char in special:
            table[code] = special[char]
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            table[code] = "".join(c for c in base if c.isalnum()) or None
    return table


# Domains and mailbox names come from names with accents; translate() does it in C.
SLUG = _ascii_table(keep="")
MAILBOX = _ascii_table(keep=".")

# Surnames shared by the countries of one language (Brazil and Portugal, Spain and Mexico).
PORTUGUESE_SURNAMES = split(
    "Silva|Santos|Oliveira|Souza|Araújo|Conceição|Gonçalves|Pereira|Lima|Gomes|Ribeiro|"
    "Carvalho|Almeida|Lopes|Magalhães|Guimarães|Fontes|Brandão|Mendonça|Assunção|Falcão|Leão|"
    "Simões|Romão|Damião|Estevão|Sebastião|Câmara|Tavares|Queirós|Azevedo|Antunes|Fonseca|"
    "Peçanha|Gusmão|Moraes|Barbosa|Teixeira|Rocha|Dias|Nascimento|Andrade|Moreira|Nunes|"
    "Marques|Machado|Mendes|Freitas|Cardoso|Ramos|Castro|Pinto|Campos|Correia|Monteiro|Vieira|"
    "Cunha|Brito|Sá|Frazão|Patrício|Aragão|Galvão|Rebouças|Toledo|Serrão|Loureiro|Esteves|"
    "Paixão|Quintão|Bastos|Cordeiro|Macêdo|Cerqueira|Bragança|Mourão|Valadão|Veloso|Rosário"
)

SPANISH_SURNAMES = split(
    "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|"
    "Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Torres|"
    "Domínguez|Vázquez|Ramos|Gil|Ramírez|Serrano|Blanco|Suárez|Molina|Castro|Ortega|Rubio|"
    "Núñez|Peñalver|Ibáñez|Muñiz|Cañizares|Peña|Zúñiga|Ordóñez|Yáñez|Valcárcel|Echeverría|"
    "Aguirre|Iglesias|Medina|Garrido|Cortés|Castillo|Santana|Calvo|Méndez|Cruz|Prieto|Vidal|"
    "Fuentes|Carrasco|Herrera|Montaño|Marín|Soler|Beltrán|Arévalo|Quiñones|Villaseñor|Bermúdez"
)

PORTUGUESE = Language(
    job_titles=split(
        "Diretor Comercial|Diretora Financeira|Gerente de Compras|Sócio-administrador|"
        "Analista de TI|Coordenadora de Operações|Responsável Técnico|Contadora|"
        "Assistente Administrativa|Gerente de Loja|Técnico de Manutenção|Encarregado de Obras"
    ),
    head_sites=split("Matriz|Sede|Escritório Central|Loja Principal"),
    other_sites=split(
        "Filial {city}|Depósito {city}|Armazém|Fábrica|Loja {city}|Centro de Distribuição"
    ),
    contract_titles=split(
        "Internet Fibra {speed}|Link Dedicado {speed}|Locação de Equipamentos|"
        "Suporte Técnico 24x7|Licenciamento de Software|Wi-Fi Gerenciado|"
        "Manutenção Preventiva|Telefonia IP"
    ),
    item_descriptions=split(
        "Instalado no rack principal|Ponto de acesso do 2º andar|Recepção|Sala de reuniões|"
        "Almoxarifado|Linha de produção|Caixa 3|Sala do servidor"
    ),
    item_notes=split(
        "Garantia estendida|Trocar na próxima visita técnica|Equipamento em comodato|"
        "Acesso somente em horário comercial|Verificar versão do firmware"
    ),
    address_line2=line2_pool(split("Sala {n}|Conjunto {n}|Bloco {l}|Loja {n}|Galpão {n}")),
    mailbox_names=split("contato|comercial|financeiro|atendimento|vendas"),
)

SPANISH = Language(
    job_titles=split(
        "Director General|Directora Financiera|Jefe de Compras|Responsable de Informática|"
        "Gerente Comercial|Técnico de Mantenimiento|Administradora|Jefa de Almacén|"
        "Contable|Encargado de Obra"
    ),
    head_sites=split("Sede Central|Oficina Principal|Tienda Principal|Domicilio Social"),
    other_sites=split(
        "Sucursal {city}|Almacén {city}|Nave Industrial|Fábrica|Tienda {city}|Centro Logístico"
    ),
    contract_titles=split(
        "Fibra Óptica {speed}|Línea Dedicada {speed}|Alquiler de Equipos|"
        "Soporte Técnico 24x7|Licencias de Software|Wi-Fi Gestionado|"
        "Mantenimiento Preventivo|Telefonía IP"
    ),
    item_descriptions=split(
        "Instalado en el rack principal|Punto de acceso de la 2ª planta|Recepción|"
        "Sala de reuniones|Almacén|Línea de producción|Caja 3|Cuarto de servidores"
    ),
    item_notes=split(
        "Garantía ampliada|Sustituir en la próxima visita|Equipo en cesión|"
        "Acceso solo en horario comercial|Revisar la versión del firmware"
    ),
    address_line2=line2_pool(split("Piso {n}, Puerta {l}|Local {n}|Nave {n}|Oficina {n}")),
    mailbox_names=split("info|contacto|administracion|ventas|pedidos"),
)

GERMAN = Language(
    job_titles=split(
        "Geschäftsführer|Geschäftsführerin|Einkaufsleiter|IT-Leiterin|Buchhalterin|Prokurist|"
        "Teamleiter Technik|Büroleiterin|Werkstattmeister|Vertriebsleiter"
    ),
    head_sites=split("Hauptsitz|Zentrale|Stammhaus|Hauptverwaltung"),
    other_sites=split(
        "Niederlassung {city}|Lager {city}|Werk {city}|Filiale {city}|Außenlager|Produktionshalle"
    ),
    contract_titles=split(
        "Glasfaser {speed}|Standleitung {speed}|Gerätemiete|Technischer Support 24x7|"
        "Softwarelizenzen|Managed WLAN|Wartungsvertrag|IP-Telefonie"
    ),
    item_descriptions=split(
        "Im Hauptrack installiert|Access Point 2. OG|Empfang|Besprechungsraum|Lager|"
        "Fertigungslinie|Kasse 3|Serverraum"
    ),
    item_notes=split(
        "Garantie verlängert|Beim nächsten Besuch tauschen|Leihgerät|"
        "Zugang nur zu Geschäftszeiten|Firmware-Stand prüfen"
    ),
    address_line2=line2_pool(split("{n}. OG|Hinterhaus|Gebäude {l}|Halle {n}|Aufgang {l}")),
    mailbox_names=split("info|kontakt|buchhaltung|vertrieb|service"),
)

ENGLISH = Language(
    job_titles=split(
        "Chief Executive Officer|Office Manager|IT Director|Purchasing Manager|Operations Lead|"
        "Accountant|Facilities Coordinator|Store Manager|Sales Director|Site Engineer"
    ),
    head_sites=split("Headquarters|Head Office|Main Office|Flagship Store"),
    other_sites=split(
        "{city} Branch|{city} Warehouse|Plant {city}|{city} Store|Distribution Center|Back Office"
    ),
    contract_titles=split(
        "Fiber Internet {speed}|Dedicated Line {speed}|Equipment Lease|24x7 Technical Support|"
        "Software Licensing|Managed Wi-Fi|Preventive Maintenance|VoIP Telephony"
    ),
    item_descriptions=split(
        "Installed in the main rack|Access point, 2nd floor|Reception|Meeting room|Stockroom|"
        "Production line|Checkout 3|Server room"
    ),
    item_notes=split(
        "Extended warranty|Swap on next site visit|Loan unit|"
        "Access during business hours only|Check firmware version"
    ),
    address_line2=line2_pool(split("Suite {n}|Unit {n}|Floor {n}|Building {l}|Dock {n}")),
    mailbox_names=split("info|sales|office|hello|accounts"),
)
