"""Word pools for Brazil, Portugal, Spain and Mexico, with their phone and postal formats."""

from __future__ import annotations

from clientbase.services.seed.catalog import (
    COOPERATIVE,
    CORPORATION,
    LIMITED,
    PARTNERSHIP,
    SOLE_TRADER,
)
from clientbase.services.seed.locales import (
    PORTUGUESE,
    PORTUGUESE_SURNAMES,
    SPANISH,
    SPANISH_SURNAMES,
    Locale,
    Rand,
    cities,
    digits,
    split,
    weighted,
)


def _br_phone(r: Rand, area: str, mobile: bool) -> tuple[str, str]:
    head = f"9{6 + int(r() * 4)}{digits(r, 3)}" if mobile else f"{2 + int(r() * 4)}{digits(r, 3)}"
    tail, style, e164 = digits(r, 4), r(), f"55{area}{head}"
    e164 += tail
    if style < 0.3:
        return f"+55 {area} {head}-{tail}", e164
    if style < 0.6:
        return f"({area}) {head}-{tail}", e164
    if style < 0.8:
        return f"{area}{head}{tail}", e164
    return (f"+{e164}" if style < 0.9 else f"{area} {head}-{tail}"), e164


def _pt_phone(r: Rand, area: str, mobile: bool) -> tuple[str, str]:
    number = f"9{'1236'[int(r() * 4)]}{digits(r, 7)}" if mobile else area + digits(r, 9 - len(area))
    grouped, style, e164 = f"{number[:3]} {number[3:6]} {number[6:]}", r(), f"351{number}"
    if style < 0.4:
        return f"+351 {grouped}", e164
    return (grouped if style < 0.7 else (number if style < 0.9 else f"+{e164}")), e164


def _es_phone(r: Rand, area: str, mobile: bool) -> tuple[str, str]:
    number = f"6{digits(r, 8)}" if mobile else area + digits(r, 9 - len(area))
    style = r()
    if style < 0.35:
        return f"+34 {number[:3]} {number[3:6]} {number[6:]}", f"34{number}"
    if style < 0.7:
        return f"{number[:3]} {number[3:5]} {number[5:7]} {number[7:]}", f"34{number}"
    return number, f"34{number}"


def _mx_phone(r: Rand, area: str, _mobile: bool) -> tuple[str, str]:
    # Mexico dials mobiles and landlines alike since 2019: ten digits after the area code.
    rest, style = digits(r, 10 - len(area)), r()
    if style < 0.35:
        return f"+52 {area} {rest[:-4]} {rest[-4:]}", f"52{area}{rest}"
    if style < 0.7:
        return f"({area}) {rest[:-4]}-{rest[-4:]}", f"52{area}{rest}"
    return area + rest, f"52{area}{rest}"


def _cep(prefix: str, r: Rand) -> str:
    return f"{prefix}{digits(r, 5 - len(prefix))}-{digits(r, 3)}"


def _pt_postal(prefix: str, r: Rand) -> str:
    return f"{prefix}{digits(r, 4 - len(prefix))}-{digits(r, 3)}"


def _five_digits(prefix: str, r: Rand) -> str:
    return prefix + digits(r, 5 - len(prefix))


BRAZIL = Locale(
    country="BR",
    language=PORTUGUESE,
    weight=55,
    businesses=split(
        "Padaria|Farmácia|Mercearia|Oficina Mecânica|Auto Peças|Construtora|Transportadora|"
        "Distribuidora de Bebidas|Comércio de Alimentos|Supermercado|Açougue|Papelaria|Livraria|"
        "Clínica Odontológica|Laboratório|Restaurante|Pousada|Hotel|Ótica|Madeireira|Serralheria|"
        "Vidraçaria|Metalúrgica|Indústria Têxtil|Agropecuária|Imobiliária|Escola|Academia|"
        "Auto Posto|Lanchonete|Confeitaria|Marcenaria|Gráfica|Cerâmica|Frigorífico|Laticínios|"
        "Construções|Engenharia|Informática|Materiais de Construção|Drogaria|Pet Shop|Lavanderia|"
        "Calçados|Móveis|Tecidos|Hortifrúti|Pizzaria|Churrascaria|Sorveteria|Contabilidade|"
        "Assessoria|Telecomunicações|Elétrica|Refrigeração|Climatização|Segurança|Logística"
    ),
    qualifiers=split(
        "São João|Santa Luzia|Nossa Senhora Aparecida|Bom Jesus|Santo Antônio|São Jorge|"
        "Boa Vista|Estrela|Primavera|Ipiranga|Paraíso|Central|do Vale|da Serra|Atlântico|Aurora|"
        "Bela Vista|Progresso|Triunfo|Real|União|Nordeste|Planalto|Horizonte|Esperança|Império|"
        "Líder|Pioneira|São Francisco|Santa Cecília|São Cristóvão|Guanabara|Araguaia|Tocantins|"
        "Amazônia|Jardim|Vitória|Cristal|Diamante|Ouro Verde|Sol Nascente|Três Irmãos|"
        "Santa Helena|São Pedro|Campo Belo|Monte Alegre|Alvorada|Girassol|Pérola|Iguaçu"
    ),
    surnames=PORTUGUESE_SURNAMES,
    first_names=split(
        "João|José|Antônio|Francisco|Carlos|Paulo|Pedro|Lucas|Luiz|Marcos|Gabriel|Rafael|"
        "Daniel|Marcelo|Bruno|Eduardo|Felipe|Raimundo|Rodrigo|Sérgio|Fábio|Vinícius|Otávio|Caio|"
        "Joaquim|Thiago|Matheus|André|Márcio|Rogério|Maria|Ana|Francisca|Antônia|Adriana|"
        "Juliana|Márcia|Fernanda|Patrícia|Aline|Sandra|Camila|Amanda|Bruna|Jéssica|Letícia|"
        "Júlia|Luciana|Vanessa|Mariana|Gabriela|Vitória|Larissa|Cláudia|Beatriz|Conceição|Tânia|"
        "Mônica|Débora|Sônia|Lúcia|Célia|Rosângela|Inês|Luíza"
    ),
    name_templates=split("{b} {q}|{b} {s}|{s} & {t}|{b} {f}"),
    families=split("Irmãos {s}|{s} & Filhos|{s} & Cia"),
    suffixes=weighted(
        (9, ("Ltda", LIMITED, "")),
        (2, ("S.A.", CORPORATION, "")),
        (1, ("S/A", CORPORATION, "")),
        (4, ("ME", SOLE_TRADER, "")),
        (3, ("EIRELI", SOLE_TRADER, "")),
    ),
    second_surname=0.6,
    cities=cities(
        "São Paulo;SP;0;11|Campinas;SP;13;19|São José dos Campos;SP;122;12|"
        "Ribeirão Preto;SP;140;16|Santos;SP;110;13|Rio de Janeiro;RJ;20;21|Niterói;RJ;240;21|"
        "Belo Horizonte;MG;30;31|Uberlândia;MG;384;34|Curitiba;PR;80;41|Londrina;PR;860;43|"
        "Porto Alegre;RS;90;51|Caxias do Sul;RS;950;54|Florianópolis;SC;880;48|"
        "Joinville;SC;892;47|Salvador;BA;40;71|Recife;PE;50;81|Fortaleza;CE;60;85|"
        "Brasília;DF;70;61|Goiânia;GO;74;62|Manaus;AM;69;92|Belém;PA;66;91|São Luís;MA;650;98|"
        "Maceió;AL;570;82|Natal;RN;590;84|João Pessoa;PB;580;83|Vitória;ES;290;27|"
        "Cuiabá;MT;780;65|Teresina;PI;640;86|Aracaju;SE;490;79"
    ),
    streets=split(
        "Rua Sete de Setembro|Avenida Paulista|Rua XV de Novembro|Avenida Getúlio Vargas|"
        "Rua Barão do Rio Branco|Rua Tiradentes|Avenida Brigadeiro Faria Lima|Rua das Acácias|"
        "Rua São Bento|Rua da Consolação|Avenida Marechal Deodoro|Rua Visconde de Mauá|"
        "Avenida Afonso Pena|Rua Dom Pedro II|Avenida Presidente Juscelino Kubitschek|"
        "Travessa da Conceição|Rua das Flores|Avenida Ipiranga|Alameda Santos|Rua Augusta|"
        "Praça da Sé|Rua Padre Anchieta|Avenida João Pessoa|Rua Conselheiro Crispiniano"
    ),
    tld="com.br",
    mail_hosts=split("gmail.com|hotmail.com|outlook.com|uol.com.br|bol.com.br|terra.com.br"),
    max_street_number=3200,
    postal_code=_cep,
    phone=_br_phone,
)

PORTUGAL = Locale(
    country="PT",
    language=PORTUGUESE,
    weight=10,
    businesses=split(
        "Pastelaria|Padaria|Talho|Drogaria|Farmácia|Marisqueira|Tasca|Construções|Serralharia|"
        "Carpintaria|Vinhos|Conservas|Cortiças|Têxteis|Calçado|Azulejos|Mármores|Transportes|"
        "Mediação Imobiliária|Restaurante|Cervejaria|Oficina|Papelaria|Livraria|Ourivesaria|"
        "Mobiliário|Metalomecânica|Informática|Contabilidade|Clínica Dentária|Ginásio|Hotel|"
        "Turismo Rural|Lacticínios|Pescas|Frutas|Lavandaria|Eletricidade|Climatização"
    ),
    qualifiers=split(
        "São João|Santa Maria|Nossa Senhora de Fátima|Santo António|Boa Vista|Estrela|"
        "Primavera|Atlântico|Aurora|Ribeira|do Minho|do Douro|do Algarve|Alentejana|Beira Mar|"
        "Lusitana|Ibérica|Tejo|Mondego|Central|Progresso|Flor de Lis|Sol Nascente|Oriente|"
        "Miradouro|Caravela|Infante|Quinta Nova|Monte Verde|Vale Formoso"
    ),
    surnames=PORTUGUESE_SURNAMES,
    first_names=split(
        "João|José|António|Francisco|Manuel|Rui|Nuno|Tiago|Gonçalo|Duarte|Afonso|Tomás|Diogo|"
        "Vasco|Sebastião|Joaquim|Luís|Miguel|Ricardo|Hélder|Maria|Ana|Inês|Beatriz|Mariana|"
        "Leonor|Matilde|Carolina|Sofia|Joana|Catarina|Margarida|Rita|Teresa|Filipa|Conceição|"
        "Fátima|Graça|Lúcia|Célia"
    ),
    name_templates=split("{b} {q}|{b} {s}|{s} & {t}|{b} {f}"),
    families=split("Irmãos {s}|{s} & Filhos|{s} & Irmão"),
    suffixes=weighted(
        (6, ("Lda", LIMITED, "")),
        (2, ("Unipessoal Lda", LIMITED, "")),
        (2, ("S.A.", CORPORATION, "")),
    ),
    second_surname=0.7,
    cities=cities(
        "Lisboa;Lisboa;1;21|Porto;Porto;4;22|Braga;Braga;47;253|Coimbra;Coimbra;30;239|"
        "Faro;Faro;80;289|Aveiro;Aveiro;38;234|Setúbal;Setúbal;29;265|Évora;Évora;70;266|"
        "Funchal;Madeira;90;291|Guimarães;Braga;48;253|Viseu;Viseu;35;232|Leiria;Leiria;24;244|"
        "Vila Nova de Gaia;Porto;44;22|Amadora;Lisboa;27;21|Ponta Delgada;Açores;95;296|"
        "Viana do Castelo;Viana do Castelo;49;258|Bragança;Bragança;53;273|Portimão;Faro;85;282"
    ),
    streets=split(
        "Rua da Liberdade|Avenida da Liberdade|Rua de Santa Catarina|Avenida Almirante Reis|"
        "Avenida 25 de Abril|Rua do Comércio|Rua Cândido dos Reis|Rua de São Bento|"
        "Rua Dom João IV|Avenida Infante Dom Henrique|Avenida da Boavista|Largo do Chiado|"
        "Travessa do Carmo|Rua Augusta|Rua de Cedofeita|Avenida dos Aliados"
    ),
    tld="pt",
    mail_hosts=split("gmail.com|sapo.pt|hotmail.com|outlook.pt|iol.pt|netcabo.pt"),
    max_street_number=400,
    postal_code=_pt_postal,
    phone=_pt_phone,
)

SPAIN = Locale(
    country="ES",
    language=SPANISH,
    weight=10,
    businesses=split(
        "Talleres|Construcciones|Transportes|Panadería|Farmacia|Ferretería|Carpintería|Bodegas|"
        "Distribuciones|Gestoría|Inmobiliaria|Muebles|Autoescuela|Cafetería|Peluquería|Asesoría|"
        "Comercial|Hostelería|Conservas|Aceites|Cerámicas|Frutas|Pastelería|Carnicería|Librería|"
        "Óptica|Clínica Dental|Gimnasio|Hotel|Restaurante|Marisquería|Reformas|Climatización|"
        "Instalaciones Eléctricas|Fontanería|Electrodomésticos|Informática|Mármoles|"
        "Excavaciones|Logística|Artes Gráficas|Agrícola|Vinos|Quesería|Textiles"
    ),
    qualifiers=split(
        "San José|Santa María|Virgen del Carmen|San Antonio|Nuestra Señora del Pilar|"
        "La Esperanza|El Sol|La Estrella|Mediterráneo|Atlántico|Ibérica|Levante|del Norte|"
        "del Sur|Castellana|Andaluza|La Paz|El Progreso|La Unión|Miramar|Costa Brava|"
        "Sierra Nevada|Guadalquivir|Montserrat|Peñalver|Alcalá|La Mancha|El Pinar|Los Olivos|"
        "La Huerta|Vista Alegre|Las Palmeras|San Fermín|Covadonga"
    ),
    surnames=SPANISH_SURNAMES,
    first_names=split(
        "Antonio|José|Manuel|Francisco|Javier|Jesús|Álvaro|Íñigo|Sergio|Rubén|Ángel|Adrián|"
        "Ramón|Joaquín|Martín|Andrés|Tomás|Víctor|Óscar|Héctor|Nicolás|Iker|Jordi|Xavier|Pau|"
        "María|Carmen|Lucía|Inés|Begoña|Nuria|Mónica|Sofía|Raquel|Elena|Pilar|Ainhoa|Itziar|"
        "Montserrat|Concepción|Rocío|Maite|Mercè|Ángela|Verónica|Irene|Marta|Alba"
    ),
    name_templates=split("{b} {q}|{b} {s}|{s} y {t}|{b} {f}"),
    families=split("Hermanos {s}|{s} e Hijos|{s} y Asociados"),
    suffixes=weighted(
        (11, ("S.L.", LIMITED, "B")),
        (4, ("SLU", LIMITED, "B")),
        (4, ("S.A.", CORPORATION, "A")),
        (1, ("S. Coop.", COOPERATIVE, "F")),
    ),
    second_surname=1.0,
    cities=cities(
        "Madrid;Madrid;28;91|Barcelona;Barcelona;08;93|Valencia;Valencia;46;96|"
        "Sevilla;Sevilla;41;954|Málaga;Málaga;29;952|Zaragoza;Zaragoza;50;976|"
        "Bilbao;Bizkaia;48;944|A Coruña;A Coruña;15;981|Córdoba;Córdoba;14;957|"
        "Cádiz;Cádiz;11;956|Alicante;Alicante;03;965|Valladolid;Valladolid;47;983|"
        "Palma;Illes Balears;07;971|Logroño;La Rioja;26;941|León;León;24;987|"
        "Salamanca;Salamanca;37;923|Cáceres;Cáceres;10;927|Almería;Almería;04;950|"
        "San Sebastián;Gipuzkoa;20;943|Pamplona;Navarra;31;948|Ávila;Ávila;05;920|Jaén;Jaén;23;953"
    ),
    streets=split(
        "Calle Mayor|Calle de Alcalá|Gran Vía|Avenida de la Constitución|Calle del Carmen|"
        "Paseo de Colón|Calle San Vicente Mártir|Avenida de Andalucía|Calle Real|"
        "Avenida de España|Calle de Núñez de Balboa|Calle del Príncipe de Vergara|"
        "Paseo de la Castellana|Calle Cervantes|Plaza de España|Calle Doctor Fleming"
    ),
    tld="es",
    mail_hosts=split("gmail.com|hotmail.es|yahoo.es|outlook.es|telefonica.net"),
    max_street_number=250,
    postal_code=_five_digits,
    phone=_es_phone,
)

MEXICO = Locale(
    country="MX",
    language=SPANISH,
    weight=7,
    businesses=split(
        "Abarrotes|Ferretería|Tortillería|Panadería|Farmacia|Papelería|Refaccionaria|"
        "Taller Mecánico|Construcciones|Transportes|Distribuidora|Comercializadora|Mueblería|"
        "Materiales|Purificadora de Agua|Taquería|Restaurante|Hotel|Consultorio Dental|"
        "Laboratorio|Agroindustrias|Aceros|Plásticos|Textiles|Importaciones|Servicios Integrales|"
        "Logística|Inmobiliaria|Autotransportes|Grupo"
    ),
    qualifiers=split(
        "La Guadalupana|San Judas|El Güero|Los Pinos|La Esperanza|del Bajío|del Pacífico|Azteca|"
        "Maya|Tolteca|del Golfo|Sierra Madre|Santa Fe|Reforma|Insurgentes|Anáhuac|La Victoria|"
        "El Porvenir|Monte Albán|Chapultepec|Popocatépetl|Xochimilco|La Perla|El Ángel|Tepeyac|"
        "Cuauhtémoc|del Norte|Tres Hermanos|La Noria|Buenavista"
    ),
    surnames=SPANISH_SURNAMES,
    first_names=split(
        "José|Juan|Luis|Carlos|Jorge|Miguel|Alejandro|Fernando|Ricardo|Arturo|Eduardo|Raúl|"
        "Jesús|Héctor|Rogelio|Guadalupe|María|Verónica|Alejandra|Patricia|Leticia|Gabriela|"
        "Rocío|Ximena|Fernanda|Daniela|Citlali|Itzel|Andrés|Emiliano|Santiago|Sofía|Valentina|"
        "Regina|Renata|Joaquín|Efraín|Ramón|Nohemí"
    ),
    name_templates=split("{b} {q}|{b} {s}|{s} y {t}|{b} {f}"),
    families=split("Hermanos {s}|{s} e Hijos|{s} y Asociados"),
    suffixes=weighted(
        (6, ("S.A. de C.V.", CORPORATION, "")),
        (3, ("S. de R.L. de C.V.", LIMITED, "")),
        (1, ("S.C.", PARTNERSHIP, "")),
    ),
    second_surname=1.0,
    cities=cities(
        "Ciudad de México;CDMX;06;55|Guadalajara;Jalisco;44;33|Monterrey;Nuevo León;64;81|"
        "Puebla;Puebla;72;222|Querétaro;Querétaro;76;442|Mérida;Yucatán;97;999|"
        "León;Guanajuato;37;477|Tijuana;Baja California;22;664|Cancún;Quintana Roo;77;998|"
        "Toluca;Estado de México;50;722|San Luis Potosí;San Luis Potosí;78;444|"
        "Oaxaca;Oaxaca;68;951|Aguascalientes;Aguascalientes;20;449|Morelia;Michoacán;58;443|"
        "Chihuahua;Chihuahua;31;614|Hermosillo;Sonora;83;662|Culiacán;Sinaloa;80;667"
    ),
    streets=split(
        "Avenida Paseo de la Reforma|Calle Hidalgo|Avenida Juárez|Calle Morelos|"
        "Avenida Insurgentes Sur|Calle Zaragoza|Calle 5 de Mayo|Avenida Revolución|"
        "Calle Allende|Calzada de Tlalpan|Avenida Vallarta|Calle Guerrero|Avenida Constitución|"
        "Boulevard Adolfo López Mateos|Calle Niños Héroes|Avenida Universidad|Calle Matamoros"
    ),
    tld="com.mx",
    mail_hosts=split("gmail.com|hotmail.com|outlook.com|yahoo.com.mx|prodigy.net.mx"),
    max_street_number=2500,
    postal_code=_five_digits,
    phone=_mx_phone,
)
