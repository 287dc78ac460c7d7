-- The 16 federal states with their official keys (Länderschlüssel, the AGS/ARS prefix).
-- Mirrors codefor_domain::states::ALL; a test checks that both agree.
INSERT INTO federal_states (key, slug, name, iso) VALUES
    ('01', 'schleswig-holstein', 'Schleswig-Holstein', 'DE-SH'),
    ('02', 'hamburg', 'Hamburg', 'DE-HH'),
    ('03', 'niedersachsen', 'Niedersachsen', 'DE-NI'),
    ('04', 'bremen', 'Bremen', 'DE-HB'),
    ('05', 'nordrhein-westfalen', 'Nordrhein-Westfalen', 'DE-NW'),
    ('06', 'hessen', 'Hessen', 'DE-HE'),
    ('07', 'rheinland-pfalz', 'Rheinland-Pfalz', 'DE-RP'),
    ('08', 'baden-wuerttemberg', 'Baden-Württemberg', 'DE-BW'),
    ('09', 'bayern', 'Bayern', 'DE-BY'),
    ('10', 'saarland', 'Saarland', 'DE-SL'),
    ('11', 'berlin', 'Berlin', 'DE-BE'),
    ('12', 'brandenburg', 'Brandenburg', 'DE-BB'),
    ('13', 'mecklenburg-vorpommern', 'Mecklenburg-Vorpommern', 'DE-MV'),
    ('14', 'sachsen', 'Sachsen', 'DE-SN'),
    ('15', 'sachsen-anhalt', 'Sachsen-Anhalt', 'DE-ST'),
    ('16', 'thueringen', 'Thüringen', 'DE-TH');
