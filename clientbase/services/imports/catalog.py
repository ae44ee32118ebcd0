"""The fields each entity can import, with the header words that mean them in English,
Portuguese and Spanish. Headers are compared folded (lower case, no accents, any run of
punctuation as one blank), so "Razão Social", "RAZAO_SOCIAL" and "razón social" all match.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from clientbase.services.imports.convert import Converter, as_bool, as_date, as_enum, as_text


class ImportEntity(enum.StrEnum):
    CUSTOMERS = "CUSTOMERS"
    CONTACTS = "CONTACTS"
    SITES = "SITES"
    CONTRACTS = "CONTRACTS"
    INVENTORY_ITEMS = "INVENTORY_ITEMS"
    PRODUCT_TYPES = "PRODUCT_TYPES"
    CUSTOMER_CATEGORIES = "CUSTOMER_CATEGORIES"
    COMPANY_TYPES = "COMPANY_TYPES"


@dataclass(frozen=True)
class Field:
    name: str
    synonyms: tuple[str, ...] = ()
    convert: Converter = as_text
    # The name the services use for this field in a problem (input path joined by ".").
    input_name: str | None = None

    @property
    def problem_name(self) -> str:
        if self.input_name:
            return self.input_name
        head, *rest = self.name.split("_")
        return head + "".join(part.title() for part in rest)


def _f(name: str, *synonyms: str, convert: Converter = as_text, input_name: str | None = None
       ) -> Field:  # fmt: skip
    return Field(name, synonyms, convert, input_name)


KIND = as_enum({"empresa": "COMPANY", "pj": "COMPANY", "juridica": "COMPANY",
                "pessoa juridica": "COMPANY", "company": "COMPANY", "pessoa": "PERSON",
                "pf": "PERSON", "fisica": "PERSON", "pessoa fisica": "PERSON",
                "persona": "PERSON", "persona fisica": "PERSON", "person": "PERSON"})  # fmt: skip
STATUS = as_enum({"ativo": "ACTIVE", "activo": "ACTIVE", "inativo": "INACTIVE",
                  "inactivo": "INACTIVE"})  # fmt: skip
PRODUCT_KIND = as_enum({"produto": "PRODUCT", "producto": "PRODUCT", "servico": "SERVICE",
                        "servicio": "SERVICE", "licenca": "LICENSE", "licencia": "LICENSE",
                        "licence": "LICENSE"})  # fmt: skip


def _address(prefix_names: bool) -> tuple[Field, ...]:
    """Address columns; sites report problems under `address.<field>` too."""
    return (
        _f("address_line1", "address", "address line 1", "line 1", "street", "endereco",
           "logradouro", "rua", "direccion", "calle", input_name="address.line1"),
        _f("address_line2", "address line 2", "line 2", "complemento",
           input_name="address.line2"),
        _f("address_number", *(("number", "numero", "no", "n") if prefix_names else ()),
           "address number", "street number", "numero do endereco", input_name="address.number"),
        _f("address_city", "city", "cidade", "ciudad", "municipio", "localidade", "localidad",
           input_name="address.city"),
        _f("address_region", "region", "state", "uf", "regiao", "provincia", "estado uf",
           input_name="address.region"),
        _f("address_postal_code", "postal code", "postcode", "zip", "zip code", "cep",
           "codigo postal", "cp", input_name="address.postalCode"),
        _f("address_country", "country", "pais", input_name="address.country"),
    )  # fmt: skip


EMAIL = _f("email", "e mail", "mail", "correo", "correo electronico", "endereco de email")
PHONE = _f("phone", "telephone", "telefone", "telefono", "tel", "fone", "celular", "mobile",
           "movil")  # fmt: skip
# Both name the customer; the services report a missing one as customerId.
CUSTOMER_CODE = _f("customer_code", "customer", "customer code", "cliente", "codigo do cliente",
                   "codigo cliente", "codigo de cliente", "client code", "cod cliente",
                   input_name="customerId")  # fmt: skip
CUSTOMER_REF = _f("customer_ref", "customer external ref", "customer ref",
                  "customer external reference", "referencia do cliente",
                  "referencia del cliente", "ref cliente", input_name="customerId")  # fmt: skip
CUSTOMER_LINK = (CUSTOMER_CODE, CUSTOMER_REF)
NAME = ("name", "nome", "nombre")

FIELDS: dict[ImportEntity, tuple[Field, ...]] = {
    ImportEntity.CUSTOMERS: (
        _f("code", "codigo", "cod", "customer code", "codigo do cliente", "codigo cliente",
           "codigo de cliente", "client code", "id cliente"),
        _f("external_ref", "external ref", "external reference", "external id",
           "referencia externa", "ref externa", "id externo"),
        _f("kind", "type", "tipo", "customer type", "tipo de cliente", "tipo pessoa",
           "tipo de persona", convert=KIND),
        _f("legal_name", "legal name", "razao social", "razon social", "name", "nome",
           "nombre", "company name", "nome empresarial", "denominacion social"),
        _f("trade_name", "trade name", "trading name", "nome fantasia", "fantasia",
           "nombre comercial", "dba"),
        _f("tax_id", "tax id", "tax number", "cnpj", "cpf", "cnpj cpf", "cpf cnpj", "nif",
           "nie", "cif", "nif cif", "vat", "vat number", "rfc", "cuit", "ein", "documento"),
        _f("tax_id_country", "tax id country", "tax country", "pais fiscal"),
        _f("birth_date", "birth date", "date of birth", "dob", "data de nascimento",
           "data nascimento", "nascimento", "fecha de nacimiento", convert=as_date),
        EMAIL,
        PHONE,
        _f("website", "web", "site", "sitio web", "pagina web", "url", "homepage"),
        _f("status", "situacao", "situacion", convert=STATUS),
        *_address(prefix_names=True),
        _f("category", "category", "categoria", "segment", "segmento"),
        _f("company_type", "company type", "tipo de empresa", "tipo empresa",
           "natureza juridica", "forma juridica"),
    ),
    ImportEntity.CONTACTS: (
        *CUSTOMER_LINK,
        _f("first_name", "first name", "given name", "primeiro nome", "primer nombre"),
        _f("last_name", "last name", "surname", "family name", "sobrenome", "apellido",
           "apellidos"),
        _f("full_name", "full name", *NAME, "nome completo", "nombre completo", "contact",
           "contato", "contacto"),
        EMAIL,
        PHONE,
        _f("job_title", "job title", "title", "position", "cargo", "funcao", "puesto"),
        _f("is_primary", "primary", "is primary", "primary contact", "principal",
           "contato principal", "contacto principal", convert=as_bool),
    ),
    ImportEntity.SITES: (
        *CUSTOMER_LINK,
        _f("name", *NAME, "site", "site name", "nome do local", "local", "sitio", "sede",
           "filial"),
        *_address(prefix_names=True),
    ),
    ImportEntity.CONTRACTS: (
        *CUSTOMER_LINK,
        _f("number", "contract number", "contract", "numero", "numero do contrato",
           "numero de contrato", "contrato", "n contrato"),
        _f("title", "titulo", "description", "descricao", "descripcion"),
        _f("status", "situacao", "estado", "situacion", convert=as_enum({
            "ativo": "ACTIVE", "activo": "ACTIVE", "rascunho": "DRAFT", "borrador": "DRAFT",
            "suspenso": "SUSPENDED", "suspendido": "SUSPENDED", "expirado": "EXPIRED",
            "vencido": "EXPIRED", "cancelado": "CANCELLED", "canceled": "CANCELLED"})),
        _f("starts_on", "starts on", "start", "start date", "inicio", "data de inicio",
           "fecha de inicio", "vigencia inicio", convert=as_date),
        _f("ends_on", "ends on", "end", "end date", "fim", "termino", "data de termino",
           "data fim", "fecha de fin", "fecha fin", "vigencia fim", convert=as_date),
    ),
    ImportEntity.INVENTORY_ITEMS: (
        *CUSTOMER_LINK,
        _f("contract_number", "contract", "contract number", "contrato", "numero do contrato",
           "numero de contrato", input_name="contractId"),
        _f("site_name", "site", "site name", "local", "nome do local", "sitio", "sede",
           input_name="siteId"),
        _f("product_type", "product type", "product", "produto", "tipo de produto",
           "producto", "tipo de producto", "model", "modelo", input_name="productTypeId"),
        _f("serial_number", "serial number", "serial", "sn", "s n", "numero de serie",
           "n de serie", "serie"),
        _f("description", "descricao", "descripcion"),
        _f("notes", "observacoes", "notas", "obs", "observaciones", "comments"),
        _f("status", "situacao", "estado", "situacion", convert=as_enum({
            "ativo": "ACTIVE", "activo": "ACTIVE", "devolvido": "RETURNED",
            "devuelto": "RETURNED"})),
    ),
    ImportEntity.PRODUCT_TYPES: (
        _f("name", *NAME, "product type", "tipo de produto", "produto", "producto"),
        _f("kind", "type", "tipo", convert=PRODUCT_KIND),
    ),
    ImportEntity.CUSTOMER_CATEGORIES: (
        _f("name", *NAME, "category", "categoria"),
    ),
    ImportEntity.COMPANY_TYPES: (
        _f("name", *NAME, "company type", "tipo de empresa"),
    ),
}  # fmt: skip

# Columns an export adds beside the fields (record ids, the customer's name, timestamps):
# an import reads past them, so that an export can be imported back as it is.
_RECORD = ("id", "created_at", "updated_at")
_CHILD = (*_RECORD, "customer_id", "customer_name")
READ_ONLY: dict[ImportEntity, tuple[str, ...]] = {
    ImportEntity.CUSTOMERS: (*_RECORD, "category_id", "company_type_id"),
    ImportEntity.CONTACTS: _CHILD,
    ImportEntity.SITES: _CHILD,
    ImportEntity.CONTRACTS: _CHILD,
    ImportEntity.INVENTORY_ITEMS: (*_CHILD, "contract_id", "site_id", "product_type_id"),
}
